"""Forms for people to create and edit the graph's resources, validated before anything commits.

A form is a list of fields, each bound to the properties of the resource it edits
(`specs`); the values shown come from the resource's statements as the graph holds them now
(`snapshot`), together with their version (an ETag: a digest of those statements); a save
becomes triples to remove and to add (`change`), prepared in a query worker like every other
write, checked against the writer's scope (accounts.permissions), refused when the resource
changed since the form was opened, and validated with the SHACL shapes before it commits. The
problems of a refused save are put back next to the fields they concern (`feedback`).
"""
