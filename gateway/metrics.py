"""HTTP metrics of the gateway, labelled as nameko-prometheus does."""
from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter("ponte_http_requests_total", "HTTP requests",
                        ["http_method", "endpoint", "status_code"])
HTTP_LATENCY = Histogram("ponte_http_request_duration_seconds", "HTTP request latency",
                         ["http_method", "endpoint"],
                         buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
