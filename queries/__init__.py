"""The question catalogue: named SPARQL queries and network analyses."""
