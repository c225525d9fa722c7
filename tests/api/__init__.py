"""Tests of the HTTP API and of RemoteService."""
