"""The course's presentation: figures, diagrams, widgets, the boss-raise story and the
chapter experiments. It builds on the network library (``lib``) and is never imported
by it: ``import lib`` needs NumPy only, ``lib.course`` adds matplotlib and ipywidgets.

One module per chapter topic:

- ``style``: one colour per gate and per model, used by every figure;
- ``diagrams``: the cells and sequences drawn in code (a package, one module a family);
- ``memory``: chapter 1's pulse and forecast figures, its memory-span experiment;
- ``gradient_flow`` (experiment) and ``gradient_plots`` (figures): chapter 2;
- ``long_review``: chapter 2's long reviews, with the controls that expose a shortcut;
- ``story`` (the numbers) and ``story_widgets`` (chart and sliders): chapter 3's story;
- ``comparison``: fair comparisons of RNN, LSTM and GRU (chapters 4 and 5);
- ``bidirectional``: chapter 6's reading figures;
- ``animations`` and ``widgets``: animations and kernel-free explorers for the pages.

Import the modules themselves (``from lib.course import story``): this package imports
none of them, so each costs only what it needs.
"""
