"""The Persian web interface: server-rendered pages over the same library functions the API routes call.

``format`` writes numbers, money and Jalali dates the Persian way, ``charts`` draws SVG on the server,
``session`` keeps an API key in a cookie and guards POST forms against cross-site requests, ``render`` holds
the templates and the error pages; the page modules (``pages_*``) each expose a ``router``.
"""
