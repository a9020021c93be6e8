"""Scale-out on Ray: the REST server as a frontend over sharded, replicated collections.

``chroma run --ray ADDRESS --shards N --replicas R`` serves the usual REST API; every record
lives in one of N shards (by id hash), each kept by R replicas on different Ray nodes. See
``docs/distributed.md`` for the design and what is consistent when. Needs the ``ray`` extra.
"""
