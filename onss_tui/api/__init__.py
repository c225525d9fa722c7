"""The HTTP API: the whole `AccessService` over REST (FastAPI), authenticated by per-person bearer tokens."""
