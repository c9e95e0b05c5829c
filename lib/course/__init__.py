"""The book's presentation code: figures, widgets, the story and the explorables.

The core network library (``lib``) never imports this package.
"""
