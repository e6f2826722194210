"""Settings: ``base`` holds what every environment shares; ``dev`` (the default of
``manage.py``), ``test`` and ``prod`` (the default of ``wsgi.py``) adjust it."""
