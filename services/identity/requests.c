/* requests.c -- pupns.identity.requests as a serve-loop batch handler: NIP
 * look-ups (one query for a whole batch) and, beside them, the verifier's
 * unit queries and a PNS's own correction list (one indexed query each). */
#include "requests.h"

#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "corrections.h"
#include "log.h"
#include "lookup.h"
#include "metrics.h"
#include "nip.h"
#include "pg.h"
#include "units.h"

/* Items a batch message may carry: the gateway sends at most 64; the cap
 * only bounds what a foreign producer can make us allocate. */
#define ITEMS_MAX 1000

/* One NIP to answer: a single request, or one item of a batch message. */
typedef struct {
    size_t item;           /* which serve item it belongs to */
    const char *item_id;   /* batch items only; borrowed from the request's event */
    const char *nip;       /* borrowed from the request's event */
    pc_nip_error nip_err;
    json_t *pns;           /* look-up result or NULL */
} lookup;

static int is_batch(const pc_serve_item *it) { return strcmp(it->ev->type, PC_TYPE_IDENTITY_LOOKUP_BATCH) == 0; }

/* Look-ups an item asks for; 0 when it is malformed (a dead letter). */
static size_t wanted(const pc_serve_item *it) {
    if (!is_batch(it)) return 1;
    json_t *items = json_object_get(it->ev->data, "items");
    size_t n = json_array_size(items);
    return n <= ITEMS_MAX ? n : 0;
}

/* Fills lk from a look-up's data object ({"nip"} or a batch item {"id", "nip"}). */
static void lookup_from(lookup *lk, json_t *obj, int batched) {
    lk->item_id = batched ? json_string_value(json_object_get(obj, "id")) : NULL;
    lk->nip = json_string_value(json_object_get(obj, "nip"));
    lk->nip_err = lk->nip ? pc_nip_parse(lk->nip, NULL) : PC_NIP_ELENGTH;
    if (!lk->nip) lk->nip = "";
    /* An item without an id cannot be answered: treat it as invalid. */
    if (batched && !lk->item_id) lk->nip_err = PC_NIP_ELENGTH;
}

static json_t *answer(const lookup *lk) {
    if (lk->nip_err != PC_NIP_OK)
        return json_pack("{s:s, s:s}", "status", "invalid", "code", pc_nip_error_code(lk->nip_err));
    if (lk->pns) return json_pack("{s:s, s:O}", "status", "found", "pns", lk->pns);
    return json_pack("{s:s}", "status", "not_found");
}

/* Looks the valid NIPs up with one query. */
static pc_status lookup_all(pc_pg *db, lookup *lks, size_t n) {
    size_t cap = n ? n : 1;
    const char **nips = calloc(cap, sizeof *nips);
    json_t **found = calloc(cap, sizeof *found);
    size_t *where = calloc(cap, sizeof *where);
    pc_status st = PC_ERROR;
    if (nips && found && where) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (lks[i].nip_err != PC_NIP_OK) continue;
            where[k] = i;
            nips[k++] = lks[i].nip;
        }
        st = k ? identity_lookup_batch(db, nips, k, found) : PC_OK;
        for (size_t j = 0; st == PC_OK && j < k; j++) lks[where[j]].pns = found[j];
    }
    free(nips);
    free(found);
    free(where);
    return st;
}

/* Each serve item's reply: a batch message gets all its items' answers. */
static void answer_all(pc_serve_item *items, size_t n, const lookup *lks, size_t nlk) {
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].status != PC_OK) continue;
        if (!is_batch(&items[i])) {
            items[i].reply = answer(&lks[j++]);
            continue;
        }
        json_t *answers = json_array();
        for (; j < nlk && lks[j].item == i; j++) {
            if (!lks[j].item_id) continue;
            json_t *a = answer(&lks[j]);
            if (a) json_object_set_new(a, "id", json_string(lks[j].item_id));
            json_array_append_new(answers, a);
        }
        items[i].reply = json_pack("{s:o}", "items", answers);
    }
}

void identity_lookups(void *w, pc_serve_item *items, size_t n) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = wanted(&items[i]);
        items[i].status = k ? PC_OK : PC_EINVAL;
        total += k;
    }
    lookup *lks = calloc(total ? total : 1, sizeof *lks);
    if (!lks) {
        for (size_t i = 0; i < n; i++) items[i].status = items[i].status == PC_OK ? PC_EUNAVAIL : PC_EINVAL;
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].status != PC_OK) continue;
        int batched = is_batch(&items[i]);
        json_t *list = json_object_get(items[i].ev->data, "items");
        size_t want = batched ? json_array_size(list) : 1;
        for (size_t j = 0; j < want; j++, k++) {
            lks[k].item = i;
            lookup_from(&lks[k], batched ? json_array_get(list, j) : items[i].ev->data, batched);
        }
    }
    pc_status st = lookup_all(w, lks, total);
    pc_metrics_inc("identity_requests_total", st == PC_OK ? "result=\"answered\"" : "result=\"failed\"",
                   (double)total);
    if (st == PC_OK) {
        answer_all(items, n, lks, total);
    } else {
        /* The loop retries (PC_EUNAVAIL) or answers "error". */
        if (st == PC_EUNAVAIL) PC_WARN("database unavailable; the batch of %zu look-ups waits", total);
        for (size_t i = 0; i < n; i++)
            if (items[i].status == PC_OK) items[i].status = st == PC_EUNAVAIL ? PC_EUNAVAIL : PC_ERROR;
    }
    for (size_t i = 0; i < total; i++) json_decref(lks[i].pns);
    free(lks);
}

static int is_lookup(const pc_serve_item *it) {
    return strcmp(it->ev->type, PC_TYPE_IDENTITY_LOOKUP) == 0 || is_batch(it);
}

/* A request that is not a look-up, answered on its own. */
static pc_status answer_query(pc_pg *db, const pc_event *ev, json_t **reply) {
    if (strcmp(ev->type, PC_TYPE_IDENTITY_UNIT_MEMBERS) == 0) return identity_unit_members(db, ev->data, reply);
    if (strcmp(ev->type, PC_TYPE_IDENTITY_UNIT_GET) == 0) return identity_unit_get(db, ev->data, reply);
    if (strcmp(ev->type, PC_TYPE_IDENTITY_CORRECTION_LIST) == 0) return identity_correction_list(db, ev->data, reply);
    return PC_EINVAL; /* no route names another type */
}

void identity_requests(void *w, pc_serve_item *items, size_t n) {
    size_t nl = 0;
    for (size_t i = 0; i < n; i++) nl += is_lookup(&items[i]);
    if (nl == n) {
        identity_lookups(w, items, n); /* the usual batch: nothing else in the way */
        return;
    }
    /* Look-ups first, together, so a unit query never delays their answers
     * more than its own few milliseconds. */
    if (nl > 0) {
        pc_serve_item *lk = calloc(nl, sizeof *lk);
        if (!lk) {
            for (size_t i = 0; i < n; i++) items[i].status = PC_EUNAVAIL;
            return;
        }
        for (size_t i = 0, k = 0; i < n; i++)
            if (is_lookup(&items[i])) lk[k++] = items[i];
        identity_lookups(w, lk, nl);
        for (size_t i = 0, k = 0; i < n; i++)
            if (is_lookup(&items[i])) items[i] = lk[k++];
        free(lk);
    }
    for (size_t i = 0; i < n; i++) {
        if (is_lookup(&items[i])) continue;
        items[i].reply = NULL;
        items[i].status = answer_query(w, items[i].ev, &items[i].reply);
        if (items[i].status == PC_EUNAVAIL) PC_WARN("database unavailable; %s waits", items[i].ev->type);
    }
}

pc_status identity_serve(const pc_config *cfg, pc_producer *replies, int workers) {
    static const pc_serve_route routes[] = {
        { PC_TYPE_IDENTITY_LOOKUP, PC_TYPE_IDENTITY_LOOKUP_REPLY },
        { PC_TYPE_IDENTITY_LOOKUP_BATCH, PC_TYPE_IDENTITY_LOOKUP_BATCH_REPLY },
        { PC_TYPE_IDENTITY_UNIT_MEMBERS, PC_TYPE_IDENTITY_UNIT_MEMBERS_REPLY },
        { PC_TYPE_IDENTITY_UNIT_GET, PC_TYPE_IDENTITY_UNIT_GET_REPLY },
        { PC_TYPE_IDENTITY_CORRECTION_LIST, PC_TYPE_IDENTITY_CORRECTION_LIST_REPLY },
    };
    const char *topics[] = { PC_TOPIC_IDENTITY_REQUESTS };
    pc_serve_spec spec = {
        .name = "lookups",
        .group = "pupns-identity",
        .topics = topics,
        .ntopics = 1,
        .routes = routes,
        .nroutes = sizeof routes / sizeof routes[0],
        .handle_batch = identity_requests,
        .workers = workers,
        .batch_max = cfg->batch_max,
        .worker_open = pc_pg_worker_open,
        .worker_close = pc_pg_worker_close,
        .ctx = (void *)cfg->pg_url,
        .producer = replies,
    };
    return pc_serve_run(cfg, &spec);
}
