/* metrics.c -- a small Prometheus registry: one mutex, a list of series. */
#include "metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double bucket_bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,   0.25,   0.5,   1,    2.5,   5, 10 };
#define NBUCKETS (sizeof bucket_bounds / sizeof bucket_bounds[0])

typedef enum { M_COUNTER, M_HISTOGRAM, M_GAUGE } metric_kind;

typedef struct series {
    metric_kind kind;
    char *name, *labels, *help;
    double value;                  /* counter */
    unsigned long buckets[NBUCKETS]; /* histogram, non-cumulative */
    unsigned long count;
    double sum;
    pc_gauge_fn fn;
    void *arg;
    struct series *next;
} series;

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static series *reg_head;

/* Finds or adds a series; reg_lock held. NULL when out of memory. */
static series *find(metric_kind kind, const char *name, const char *labels) {
    series **pp = &reg_head;
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->kind == kind && strcmp((*pp)->name, name) == 0 &&
            strcmp((*pp)->labels, labels ? labels : "") == 0)
            return *pp;
    series *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->kind = kind;
    s->name = strdup(name);
    s->labels = strdup(labels ? labels : "");
    if (!s->name || !s->labels) {
        free(s->name);
        free(s->labels);
        free(s);
        return NULL;
    }
    *pp = s; /* appended: output keeps the registration order */
    return s;
}

void pc_metrics_inc(const char *name, const char *labels, double by) {
    pthread_mutex_lock(&reg_lock);
    series *s = find(M_COUNTER, name, labels);
    if (s) s->value += by;
    pthread_mutex_unlock(&reg_lock);
}

void pc_metrics_observe(const char *name, const char *labels, double seconds) {
    pthread_mutex_lock(&reg_lock);
    series *s = find(M_HISTOGRAM, name, labels);
    if (s) {
        size_t i = 0;
        while (i < NBUCKETS && seconds > bucket_bounds[i]) i++;
        if (i < NBUCKETS) s->buckets[i]++;
        s->count++;
        s->sum += seconds;
    }
    pthread_mutex_unlock(&reg_lock);
}

void pc_metrics_gauge(const char *name, const char *help, pc_gauge_fn fn, void *arg) {
    pthread_mutex_lock(&reg_lock);
    series *s = find(M_GAUGE, name, "");
    if (s) {
        s->fn = fn;
        s->arg = arg;
        if (!s->help && help) s->help = strdup(help);
    }
    pthread_mutex_unlock(&reg_lock);
}

typedef struct {
    char *buf;
    size_t len, cap;
    int failed;
} text_buf;

static void put(text_buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text_buf *t, const char *fmt, ...) {
    if (t->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap * 2 + (size_t)n;
        char *nb = realloc(t->buf, cap);
        if (!nb) {
            t->failed = 1;
            return;
        }
        t->buf = nb;
        t->cap = cap;
    }
}

static const char *kind_name(metric_kind k) {
    return k == M_COUNTER ? "counter" : k == M_HISTOGRAM ? "histogram" : "gauge";
}

/* TYPE/HELP once per name: only for the first series of that name. */
static int first_of_name(const series *s) {
    for (const series *o = reg_head; o != s; o = o->next)
        if (strcmp(o->name, s->name) == 0) return 0;
    return 1;
}

static const char *help_of(const series *s) {
    for (const series *o = reg_head; o; o = o->next)
        if (strcmp(o->name, s->name) == 0 && o->help) return o->help;
    return NULL;
}

char *pc_metrics_render(void) {
    text_buf t = { .buf = malloc(4096), .cap = 4096 };
    if (!t.buf) return NULL;
    t.buf[0] = '\0';
    pthread_mutex_lock(&reg_lock);
    for (series *s = reg_head; s; s = s->next) {
        if (first_of_name(s)) {
            const char *help = help_of(s);
            if (help) put(&t, "# HELP %s %s\n", s->name, help);
            put(&t, "# TYPE %s %s\n", s->name, kind_name(s->kind));
        }
        const char *sep = s->labels[0] ? "," : "";
        if (s->kind == M_COUNTER) {
            put(&t, "%s%s%s%s %.17g\n", s->name, s->labels[0] ? "{" : "", s->labels,
                s->labels[0] ? "}" : "", s->value);
        } else if (s->kind == M_GAUGE) {
            put(&t, "%s %.17g\n", s->name, s->fn ? s->fn(s->arg) : 0.0);
        } else {
            unsigned long cum = 0;
            for (size_t i = 0; i < NBUCKETS; i++) {
                cum += s->buckets[i];
                put(&t, "%s_bucket{%s%sle=\"%g\"} %lu\n", s->name, s->labels, sep, bucket_bounds[i], cum);
            }
            put(&t, "%s_bucket{%s%sle=\"+Inf\"} %lu\n", s->name, s->labels, sep, s->count);
            put(&t, "%s_sum%s%s%s %.17g\n", s->name, s->labels[0] ? "{" : "", s->labels,
                s->labels[0] ? "}" : "", s->sum);
            put(&t, "%s_count%s%s%s %lu\n", s->name, s->labels[0] ? "{" : "", s->labels,
                s->labels[0] ? "}" : "", s->count);
        }
    }
    pthread_mutex_unlock(&reg_lock);
    if (t.failed) {
        free(t.buf);
        return NULL;
    }
    return t.buf;
}

void pc_metrics_reset(void) {
    pthread_mutex_lock(&reg_lock);
    while (reg_head) {
        series *s = reg_head;
        reg_head = s->next;
        free(s->name);
        free(s->labels);
        free(s->help);
        free(s);
    }
    pthread_mutex_unlock(&reg_lock);
}
