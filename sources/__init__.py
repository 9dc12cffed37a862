"""Reading the services' raw exports: one module per service, shared plumbing beside them."""
