"""The service layer: the `AccessService` protocol, its DTOs and errors, and its two backends."""
