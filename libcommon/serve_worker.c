/* serve_worker.c -- the serve loop's worker threads: each owns whole
 * partitions and runs the service's handler on their messages, retrying
 * with backoff while a backend is down. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ids.h"
#include "lifecycle.h"
#include "log.h"
#include "serve_internal.h"

static int64_t remaining_ms(const entry *e) {
    return e->deadline_us ? (e->deadline_us - pc_mono_us()) / 1000 : INT64_MAX;
}

/* 1 when e must not be worked on any more: abandoned (stop, revoke) or
 * expired (skipped: nobody waits for its answer). Finishes e if so. */
static int give_up(entry *e) {
    if (!pc__serve_on(e->part->s) || atomic_load(&e->part->revoked)) {
        atomic_store(&e->state, E_ABANDONED);
        return 1;
    }
    if (e->deadline_us && pc_mono_us() >= e->deadline_us) {
        pc__serve_count(e->part->topic, "expired");
        atomic_store(&e->state, E_DONE);
        return 1;
    }
    return 0;
}

/* 1 when e's budget ends before a retry after wait_ms could answer it: it
 * is answered "unavailable" now, while its caller still waits. */
static int budget_ends_before(const entry *e, int wait_ms) {
    return remaining_ms(e) - wait_ms < 250;
}

/* Sleeps *wait_ms (doubled for next time) unless the loop stops. */
static void backoff(serve *s, int *wait_ms) {
    for (int slept = 0; slept < *wait_ms && pc__serve_on(s); slept += 50) usleep(50 * 1000);
    *wait_ms = *wait_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : *wait_ms * 2;
}

static void set_log_context(const entry *e) {
    pc_log_set_cid(e ? e->ev.id : NULL);
    pc_log_set_request_id(e ? e->ev.requestid : NULL);
}

/* One message at a time, in order; a retried one holds up those behind it. */
static void run_one(serve *s, worker *w, entry *e) {
    int wait_ms = BACKOFF_FIRST_MS;
    set_log_context(e);
    while (!give_up(e)) {
        json_t *data = NULL;
        pc_status st = s->spec->handle(w->state, &e->ev, &data);
        int retry = st == PC_EUNAVAIL || (st != PC_OK && st != PC_EINVAL && !e->route->reply_type);
        if (!retry) {
            pc__serve_finish(s, e, st, data);
            break;
        }
        json_decref(data);
        if (st != PC_EUNAVAIL) PC_WARN("%s failed (%s); retrying", e->ev.type, pc_status_name(st));
        if (budget_ends_before(e, wait_ms)) {
            pc__serve_finish(s, e, PC_EUNAVAIL, NULL);
            break;
        }
        backoff(s, &wait_ms);
    }
    set_log_context(NULL);
}

/* Many at once; those that must be retried come back together. */
static void run_batch(serve *s, worker *w, entry **es, size_t n) {
    pc_serve_item *items = calloc(n, sizeof *items);
    if (!items) {
        for (size_t i = 0; i < n; i++) atomic_store(&es[i]->state, E_ABANDONED);
        return;
    }
    int wait_ms = BACKOFF_FIRST_MS;
    while (n > 0) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!give_up(es[i])) es[k++] = es[i];
        n = k;
        if (n == 0) break;
        for (size_t i = 0; i < n; i++)
            items[i] = (pc_serve_item){ .ev = &es[i]->ev, .route = es[i]->route, .status = PC_ERROR };
        s->spec->handle_batch(w->state, items, n);
        k = 0;
        for (size_t i = 0; i < n; i++) {
            int retry = items[i].status == PC_EUNAVAIL ||
                        (items[i].status != PC_OK && items[i].status != PC_EINVAL && !es[i]->route->reply_type);
            if (retry) {
                json_decref(items[i].reply);
                es[k++] = es[i];
            } else {
                set_log_context(es[i]);
                pc__serve_finish(s, es[i], items[i].status, items[i].reply);
            }
        }
        n = k;
        /* Budgets that end before the next try are answered now; the rest wait. */
        k = 0;
        for (size_t i = 0; i < n; i++) {
            if (!budget_ends_before(es[i], wait_ms)) {
                es[k++] = es[i];
                continue;
            }
            set_log_context(es[i]);
            pc__serve_finish(s, es[i], PC_EUNAVAIL, NULL);
        }
        set_log_context(NULL);
        n = k;
        if (n > 0) backoff(s, &wait_ms);
    }
    free(items);
}

static void *worker_main(void *arg) {
    worker *w = arg;
    serve *s = w->s;
    size_t max = (size_t)(s->spec->batch_max > 0 ? s->spec->batch_max : 1);
    entry **batch = calloc(max, sizeof *batch);
    if (!batch) {
        pc_lifecycle_fail();
        return NULL;
    }
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stopping) pthread_cond_wait(&w->cond, &w->lock);
        if (w->stopping) break;
        size_t n = 0;
        while (w->head && n < max) {
            entry *e = w->head;
            w->head = e->wnext;
            if (!w->head) w->tail = NULL;
            e->wnext = NULL;
            atomic_store(&e->state, E_RUNNING);
            batch[n++] = e;
        }
        pthread_mutex_unlock(&w->lock);
        if (s->spec->handle_batch) {
            run_batch(s, w, batch, n);
        } else {
            for (size_t i = 0; i < n; i++) run_one(s, w, batch[i]);
        }
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    free(batch);
    return NULL;
}

void pc__serve_worker_push(worker *w, entry *e) {
    pthread_mutex_lock(&w->lock);
    if (w->tail) w->tail->wnext = e;
    else w->head = e;
    w->tail = e;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Takes the queued (not yet started) entries of parts marked revoked out of
 * every worker's queue: they are abandoned for the partitions' next owner. */
void pc__serve_workers_drop_revoked(serve *s) {
    for (int i = 0; i < s->nworkers; i++) {
        worker *w = &s->workers[i];
        pthread_mutex_lock(&w->lock);
        entry **pp = &w->head, *last = NULL;
        while (*pp) {
            entry *e = *pp;
            if (atomic_load(&e->part->revoked) || !pc__serve_on(s)) {
                *pp = e->wnext;
                e->wnext = NULL;
                atomic_store(&e->state, E_ABANDONED);
            } else {
                last = e;
                pp = &e->wnext;
            }
        }
        w->tail = last;
        pthread_mutex_unlock(&w->lock);
    }
}

void pc__serve_workers_stop(serve *s, int started) {
    for (int i = 0; i < started; i++) {
        worker *w = &s->workers[i];
        pthread_mutex_lock(&w->lock);
        w->stopping = 1;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
    }
    for (int i = 0; i < started; i++) {
        worker *w = &s->workers[i];
        pthread_join(w->thread, NULL);
        if (s->spec->worker_close && w->state) s->spec->worker_close(w->state);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
    }
}

/* Opens every worker's state, then starts the threads. Returns how many started. */
int pc__serve_workers_start(serve *s) {
    char err[256];
    for (int i = 0; i < s->nworkers; i++) {
        worker *w = &s->workers[i];
        *w = (worker){ .s = s, .index = i };
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->cond, NULL);
        if (s->spec->worker_open && !(w->state = s->spec->worker_open(s->spec->ctx, i, err, sizeof err))) {
            PC_ERROR("%s worker %d: %s", s->spec->name, i, err);
            pthread_mutex_destroy(&w->lock);
            pthread_cond_destroy(&w->cond);
            return i;
        }
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            if (s->spec->worker_close && w->state) s->spec->worker_close(w->state);
            pthread_mutex_destroy(&w->lock);
            pthread_cond_destroy(&w->cond);
            return i;
        }
    }
    return s->nworkers;
}
