/* metrics.h -- process-wide Prometheus metrics: counters, latency histograms
 * and callback gauges, rendered in the text exposition format.
 *
 * Series are identified by name plus a label string such as
 * `route="/api/v1/pns/{nip}",status="200"`; keep label values bounded
 * (route templates, not raw paths). Thread-safe. */
#ifndef PUPNS_METRICS_H
#define PUPNS_METRICS_H

void pc_metrics_inc(const char *name, const char *labels, double by);
/* Observes a duration in seconds into fixed buckets (1 ms .. 10 s). */
void pc_metrics_observe(const char *name, const char *labels, double seconds);

typedef double (*pc_gauge_fn)(void *arg);
void pc_metrics_gauge(const char *name, const char *help, pc_gauge_fn fn, void *arg);

/* The whole registry as Prometheus text; caller frees. NULL if out of memory. */
char *pc_metrics_render(void);

/* Drops every series (tests). */
void pc_metrics_reset(void);

#endif
