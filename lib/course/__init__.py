"""The course's presentation: figures, diagrams, widgets, the boss-raise story and the
chapter experiments. It builds on the network library (``lib``) and is never imported
by it: ``import lib`` needs NumPy only, ``lib.course`` adds matplotlib and anywidget.

One module per chapter topic:

- ``style``: one colour per gate and per model, used by every figure;
- ``diagrams``: the cells and sequences drawn in code (a package, one module a family);
- ``memory``: chapter 1's pulse and forecast figures, its memory-span experiment;
- ``gradient_flow`` (experiment) and ``gradient_plots`` (figures): chapter 2;
- ``long_review``: chapter 2's long reviews, with the controls that expose a shortcut;
- ``story``: chapter 3's story, the numbers (its explorer is in ``explorables``);
- ``review``: chapter 3's cereal review read by one hand-set LSTM unit;
- ``memory_span``: chapter 3's memory-span experiment (a script, its stored results, the figure);
- ``comparison`` and ``recurrent_init``: fair comparisons of RNN, LSTM and GRU, over seeds,
  each model from a fair start (chapters 3, 4 and 5);
- ``listings``: the lines of lib a chapter shows beside an equation;
- ``bidirectional``: chapter 6's reading figures;
- ``sequence_models`` (the accuracy sweep), ``attention_plots`` and ``scan_plots`` (the
  scan's sweeps and the cost against sequence length): chapter 8;
- ``explorables``: widgets that compute in the page (anywidget traits plus the ES modules
  in ``js/``, with ``js/cells.js``, the JavaScript twin of ``lib.functional``);
- ``precomputed``: sliders over views drawn in advance, for what only Python computes;
- ``animations``: animations for the pages.

Import the modules themselves (``from lib.course import story``): this package imports
none of them, so each costs only what it needs.
"""
