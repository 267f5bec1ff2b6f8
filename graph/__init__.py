"""The store: one small interface over the embedded pyoxigraph store and remote SPARQL stores."""
