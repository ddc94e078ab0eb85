"""What every app shares and nothing else (DESIGN §1): the services' refusal (`ServiceError`) and
the typed request. It imports no other app; every app may import it."""
