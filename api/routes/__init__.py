"""The HTTP routers, one module per face of the service; api.app includes them all."""
