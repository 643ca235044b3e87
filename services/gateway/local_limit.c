/* local_limit.c -- an open-addressing table of counters with expiry. */
#include "local_limit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 160

typedef struct {
    char key[KEY_MAX];     /* "" when free */
    int64_t window_start;  /* counters: the window counted */
    int64_t expires;       /* when the entry may be reused */
    long count;
} slot;

struct gw_local_limit {
    pthread_mutex_t lock;
    slot *slots;
    int capacity;
};

gw_local_limit *gw_local_limit_new(int capacity) {
    gw_local_limit *l = calloc(1, sizeof *l);
    if (!l || !(l->slots = calloc((size_t)capacity, sizeof *l->slots))) {
        free(l);
        return NULL;
    }
    l->capacity = capacity;
    pthread_mutex_init(&l->lock, NULL);
    return l;
}

static unsigned hash(const char *s) {
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* key's slot, or a free/expired one to take, or NULL when the probe finds
 * neither (the table is full of live entries). Called with the lock held. */
static slot *find(gw_local_limit *l, const char *key, int64_t now) {
    unsigned start = hash(key) % (unsigned)l->capacity;
    slot *reuse = NULL;
    for (int i = 0; i < l->capacity && i < 64; i++) { /* a bounded probe */
        slot *s = &l->slots[(start + (unsigned)i) % (unsigned)l->capacity];
        if (s->key[0] && strcmp(s->key, key) == 0) return s;
        if (!reuse && (!s->key[0] || s->expires <= now)) reuse = s;
        if (!s->key[0]) break;
    }
    if (reuse) {
        memset(reuse, 0, sizeof *reuse);
        strncpy(reuse->key, key, KEY_MAX - 1);
    }
    return reuse;
}

long gw_local_limit_hit(gw_local_limit *l, const char *key, int64_t window_start, int window_s, int64_t now) {
    pthread_mutex_lock(&l->lock);
    slot *s = find(l, key, now);
    long n = -1;
    if (s) {
        if (s->window_start != window_start) {
            s->window_start = window_start;
            s->count = 0;
        }
        s->expires = window_start + window_s;
        n = ++s->count;
    }
    pthread_mutex_unlock(&l->lock);
    return n;
}

int gw_local_limit_locked(gw_local_limit *l, const char *key, int64_t now) {
    pthread_mutex_lock(&l->lock);
    unsigned start = hash(key) % (unsigned)l->capacity;
    int left = 0;
    for (int i = 0; i < l->capacity && i < 64; i++) {
        slot *s = &l->slots[(start + (unsigned)i) % (unsigned)l->capacity];
        if (!s->key[0]) break;
        if (strcmp(s->key, key) == 0) {
            left = s->expires > now ? (int)(s->expires - now) : 0;
            break;
        }
    }
    pthread_mutex_unlock(&l->lock);
    return left;
}

void gw_local_limit_lock(gw_local_limit *l, const char *key, int secs, int64_t now) {
    pthread_mutex_lock(&l->lock);
    slot *s = find(l, key, now);
    if (s) s->expires = now + secs;
    pthread_mutex_unlock(&l->lock);
}

void gw_local_limit_free(gw_local_limit *l) {
    if (!l) return;
    pthread_mutex_destroy(&l->lock);
    free(l->slots);
    free(l);
}
