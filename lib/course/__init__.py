"""The course's presentation: figures, diagrams, widgets, the boss-raise story and the
chapter experiments. It builds on the network library (``lib``) and is never imported
by it: ``import lib`` needs NumPy only, ``lib.course`` adds matplotlib and ipywidgets.

One module per chapter topic:

- ``style``: one colour per gate and per model, used by every figure;
- ``diagrams``: the cells and sequences drawn in code (a package, one module a family);
- ``memory``: chapter 1's pulse, forecast and memory-span figures;
- ``gradient_flow`` (experiment) and ``gradient_plots`` (figures): chapter 2;
- ``story`` (the numbers) and ``story_widgets`` (chart and sliders): chapter 3's story;
- ``comparison``: fair comparisons of RNN, LSTM and GRU (chapters 4 and 5);
- ``bidirectional``: chapter 6's reading figures;
- ``sequence_models`` (the accuracy sweep), ``attention_plots`` and ``scan_plots`` (the
  scan's sweeps and the cost against sequence length): chapter 8;
- ``animations`` and ``widgets``: animations and kernel-free explorers for the pages.

Import the modules themselves (``from lib.course import story``): this package imports
none of them, so each costs only what it needs.
"""
