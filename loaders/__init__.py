"""Readers that turn the Secretariat's workbook and RDF files into RDF, with located errors."""
