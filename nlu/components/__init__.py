"""Custom Rasa NLU components.

Importing this package (Rasa does, to load the pipeline) also installs `nlu.rasa_speedups`.
"""

from nlu import rasa_speedups

rasa_speedups.apply()
