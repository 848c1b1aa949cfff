"""What only the chapters' notebooks use.

* :mod:`~vaegan.pages.explorers`: interactive figures that work without a kernel;
* :mod:`~vaegan.pages.plotting`: image grids, code scatters, training signals;
* :mod:`~vaegan.pages.diagrams`: one architecture diagram per model family, drawn from
  the model;
* :mod:`~vaegan.pages.tables`: layer tables and parameter counts;
* :mod:`~vaegan.pages.exercises`: the checkers of the exercises;
* :mod:`~vaegan.pages.source`: ``show_source``, so a solution shown is the package's own
  code;
* :mod:`~vaegan.pages.reference`: ``load_or_train``, a run loaded or trained with one
  call.
"""
