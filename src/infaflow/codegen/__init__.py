"""Converting mappings into readable PySpark jobs, and running sessions on Spark.

``plan`` turns a session's mapping into an ordered list of steps (one per instance, mapplets inlined,
session overrides applied); one handler per transformation type (``handlers``) writes the code of a
step; ``job`` renders a session module from a thin Jinja template; ``project`` writes a converted
project; ``support`` is the small runtime module every generated project ships with; ``executor`` runs
sessions for ``infaflow run`` in one local SparkSession per run.
"""
