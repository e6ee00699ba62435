"""llm-routing-lab: how LLM requests should be routed between models, and what that does to users and providers.

Subpackages: ``game`` (routing with user choice, Mahmood 2026), ``data`` (routing-outcome data and the
synthetic zoo), ``routers`` (one router interface and every router), ``replay`` (the replay engine),
``messplus``/``pickllm`` router modules, ``arena`` (reactive users). Importing touches no network.
"""
__version__ = "0.1.0"

from . import provenance as _provenance

_provenance.install()  # notes which data files a run reads (for provenance.json); no network, no side effect
