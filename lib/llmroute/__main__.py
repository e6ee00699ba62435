"""``python -m llmroute``: the command line (:mod:`llmroute.cli`)."""
import sys

from .cli import main

sys.exit(main())
