/* acls.c -- the Kafka ACLs of proto/topics.json (pupns-ctl topics applies
 * them when it runs with credentials; the admin principal is a super user).
 *
 * The file is the source of truth: the first word of each "producers" and
 * "consumers" entry names a principal, and the principals listed under
 * "acl" get, per topic, exactly this:
 *   producer  WRITE + DESCRIBE on the topic;
 *   consumer  READ + DESCRIBE on the topic, READ on its consumer groups
 *             (prefix "pupns-<principal>", or the "group_prefix" given);
 * and for the per-instance reply topics (a prefix, pupns.gateway.replies.):
 *   producer  (a service answering requests) WRITE + DESCRIBE;
 *   consumer  (a requester) CREATE, DELETE, DESCRIBE, DESCRIBE_CONFIGS and
 *             READ on the prefix, which its replies come back on.
 * "extra" entries add what the topics do not say (each says why). Anything
 * else is refused: a service cannot write a topic it does not own nor read
 * one it does not consume, and a client without credentials gets nothing. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "kafka.h"

#define ACL_TIMEOUT_MS 15000
#define MAX_BINDINGS 512

typedef struct {
    rd_kafka_AclBinding_t *b[MAX_BINDINGS];
    size_t n;
    int failed;
} acl_set;

static void add(acl_set *s, rd_kafka_ResourceType_t type, const char *name, rd_kafka_ResourcePatternType_t pattern,
                const char *principal, rd_kafka_AclOperation_t op) {
    char who[96], err[256];
    snprintf(who, sizeof who, "User:%s", principal);
    for (size_t i = 0; i < s->n; i++) /* the same grant from two entries: once */
        if (rd_kafka_AclBinding_restype(s->b[i]) == type && rd_kafka_AclBinding_resource_pattern_type(s->b[i]) == pattern &&
            rd_kafka_AclBinding_operation(s->b[i]) == op && strcmp(rd_kafka_AclBinding_name(s->b[i]), name) == 0 &&
            strcmp(rd_kafka_AclBinding_principal(s->b[i]), who) == 0)
            return;
    if (s->n == MAX_BINDINGS) {
        s->failed = 1;
        return;
    }
    rd_kafka_AclBinding_t *b = rd_kafka_AclBinding_new(type, name, pattern, who, "*", op,
                                                       RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, err, sizeof err);
    if (!b) {
        fprintf(stderr, "pupns-ctl: acl %s %s: %s\n", who, name, err);
        s->failed = 1;
        return;
    }
    s->b[s->n++] = b;
}

/* The principal an entry such as "registration (transactional outbox)"
 * names, if it is one of acl.principals. */
static int principal_of(const json_t *acl, const char *entry, char out[48]) {
    size_t len = strcspn(entry, " (");
    if (len == 0 || len >= 48) return 0;
    memcpy(out, entry, len);
    out[len] = '\0';
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(acl, "principals"), i, p)
        if (json_is_string(p) && strcmp(json_string_value(p), out) == 0) return 1;
    return 0;
}

static void group_acl(acl_set *s, const json_t *acl, const char *principal) {
    const char *prefix = json_string_value(json_object_get(json_object_get(acl, "group_prefix"), principal));
    char own[64];
    if (!prefix) {
        snprintf(own, sizeof own, "pupns-%s", principal);
        prefix = own;
    }
    add(s, RD_KAFKA_RESOURCE_GROUP, prefix, RD_KAFKA_RESOURCE_PATTERN_PREFIXED, principal, RD_KAFKA_ACL_OPERATION_READ);
}

static void topic_acls(acl_set *s, const json_t *acl, const json_t *topic) {
    const char *name = json_string_value(json_object_get(topic, "name"));
    if (!name) return;
    int per_instance = json_is_true(json_object_get(topic, "per_instance"));
    char prefix[160];
    if (per_instance) { /* "pupns.gateway.replies.<instance-id>" -> its prefix */
        snprintf(prefix, sizeof prefix, "%.*s", (int)strcspn(name, "<"), name);
        name = prefix;
    }
    rd_kafka_ResourcePatternType_t pattern = per_instance ? RD_KAFKA_RESOURCE_PATTERN_PREFIXED
                                                          : RD_KAFKA_RESOURCE_PATTERN_LITERAL;
    char who[48];
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(topic, "producers"), i, e) {
        if (!json_is_string(e) || !principal_of(acl, json_string_value(e), who)) continue;
        add(s, RD_KAFKA_RESOURCE_TOPIC, name, pattern, who, RD_KAFKA_ACL_OPERATION_WRITE);
        add(s, RD_KAFKA_RESOURCE_TOPIC, name, pattern, who, RD_KAFKA_ACL_OPERATION_DESCRIBE);
    }
    json_array_foreach(json_object_get(topic, "consumers"), i, e) {
        if (!json_is_string(e) || !principal_of(acl, json_string_value(e), who)) continue;
        add(s, RD_KAFKA_RESOURCE_TOPIC, name, pattern, who, RD_KAFKA_ACL_OPERATION_READ);
        add(s, RD_KAFKA_RESOURCE_TOPIC, name, pattern, who, RD_KAFKA_ACL_OPERATION_DESCRIBE);
        if (per_instance) { /* a requester: it makes, reads and removes its own reply topic */
            add(s, RD_KAFKA_RESOURCE_TOPIC, name, pattern, who, RD_KAFKA_ACL_OPERATION_CREATE);
            add(s, RD_KAFKA_RESOURCE_TOPIC, name, pattern, who, RD_KAFKA_ACL_OPERATION_DELETE);
            add(s, RD_KAFKA_RESOURCE_TOPIC, name, pattern, who, RD_KAFKA_ACL_OPERATION_DESCRIBE_CONFIGS);
            /* librdkafka names the reply topic as the (never joined) group id */
            add(s, RD_KAFKA_RESOURCE_GROUP, name, pattern, who, RD_KAFKA_ACL_OPERATION_READ);
        } else {
            group_acl(s, acl, who);
        }
    }
}

static rd_kafka_AclOperation_t operation_named(const char *op) {
    static const struct { const char *name; rd_kafka_AclOperation_t op; } ops[] = {
        { "read", RD_KAFKA_ACL_OPERATION_READ },         { "write", RD_KAFKA_ACL_OPERATION_WRITE },
        { "describe", RD_KAFKA_ACL_OPERATION_DESCRIBE }, { "create", RD_KAFKA_ACL_OPERATION_CREATE },
        { "delete", RD_KAFKA_ACL_OPERATION_DELETE },
    };
    for (size_t i = 0; op && i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op, ops[i].name) == 0) return ops[i].op;
    return RD_KAFKA_ACL_OPERATION_UNKNOWN;
}

static void extra_acls(acl_set *s, const json_t *acl) {
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(acl, "extra"), i, e) {
        const char *who = json_string_value(json_object_get(e, "principal"));
        const char *res = json_string_value(json_object_get(e, "resource"));
        const char *name = json_string_value(json_object_get(e, "name"));
        rd_kafka_AclOperation_t op = operation_named(json_string_value(json_object_get(e, "operation")));
        int is_group = res && strcmp(res, "group") == 0, is_topic = res && strcmp(res, "topic") == 0;
        if (!who || !name || op == RD_KAFKA_ACL_OPERATION_UNKNOWN || (!is_group && !is_topic)) {
            fprintf(stderr, "pupns-ctl: topics.json acl.extra[%zu] needs principal, resource (topic|group), "
                            "name and operation (read|write|describe|create|delete)\n", i);
            s->failed = 1;
            continue;
        }
        add(s, is_group ? RD_KAFKA_RESOURCE_GROUP : RD_KAFKA_RESOURCE_TOPIC, name, RD_KAFKA_RESOURCE_PATTERN_LITERAL,
            who, op);
    }
}

/* ACLs the broker lists now, or -1 if it did not answer. */
static long acls_listed(rd_kafka_t *rk, rd_kafka_queue_t *q) {
    char err[256];
    rd_kafka_AclBindingFilter_t *any =
        rd_kafka_AclBindingFilter_new(RD_KAFKA_RESOURCE_ANY, NULL, RD_KAFKA_RESOURCE_PATTERN_ANY, NULL, NULL,
                                      RD_KAFKA_ACL_OPERATION_ANY, RD_KAFKA_ACL_PERMISSION_TYPE_ANY, err, sizeof err);
    if (!any) return -1;
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBEACLS);
    rd_kafka_AdminOptions_set_request_timeout(o, ACL_TIMEOUT_MS, err, sizeof err);
    rd_kafka_DescribeAcls(rk, any, o, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ACL_TIMEOUT_MS + 1000);
    long n = -1;
    if (ev && !rd_kafka_event_error(ev)) {
        size_t cnt = 0;
        rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(ev), &cnt);
        n = (long)cnt;
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_AclBinding_destroy(any);
    return n;
}

/* ACLs reach the brokers' authorizers through the metadata log a moment
 * after they are acknowledged; a service started in that moment was seen
 * to fail its first idempotent-producer request (CLUSTER_AUTHORIZATION_FAILED).
 * So wait until the broker lists them all, and a little more for the others. */
static void await_acls(rd_kafka_t *rk, rd_kafka_queue_t *q, size_t want) {
    for (int i = 0; i < 100; i++) {
        long n = acls_listed(rk, q);
        if (n >= (long)want) {
            usleep(500 * 1000);
            return;
        }
        usleep(100 * 1000);
    }
    fprintf(stderr, "pupns-ctl: warning: the broker does not list all %zu ACLs yet\n", want);
}

int ctl_acls(pc_producer *p, const json_t *root) {
    const json_t *acl = json_object_get(root, "acl");
    if (!json_is_object(acl)) { /* a partial file (an operator's, a test's): topics only */
        fprintf(stderr, "pupns-ctl: this file has no \"acl\" object: no ACLs made\n");
        return 0;
    }
    acl_set s = { .n = 0 };
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(root, "topics"), i, t) {
        topic_acls(&s, acl, t);
    }
    extra_acls(&s, acl);
    int rc = s.failed;
    char err[512];
    rd_kafka_t *rk = pc_producer_acquire(p);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATEACLS);
    rd_kafka_AdminOptions_set_request_timeout(o, ACL_TIMEOUT_MS, err, sizeof err);
    rd_kafka_CreateAcls(rk, s.b, s.n, o, q); /* an ACL that exists already is no change */
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ACL_TIMEOUT_MS + 1000);
    if (!ev || rd_kafka_event_error(ev)) {
        fprintf(stderr, "pupns-ctl: ACLs: %s\n", ev ? rd_kafka_event_error_string(ev) : "no answer from the broker");
        rc = 1;
    } else {
        size_t n = 0, refused = 0;
        const rd_kafka_acl_result_t **res = rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev), &n);
        for (size_t k = 0; k < n; k++) {
            const rd_kafka_error_t *e = rd_kafka_acl_result_error(res[k]);
            if (!e) continue;
            if (refused++ == 0) fprintf(stderr, "pupns-ctl: ACL refused: %s\n", rd_kafka_error_string(e));
            rc = 1;
        }
        printf("pupns-ctl: %zu ACLs for %zu principals' topics and groups (%zu refused)\n", s.n,
               json_array_size(json_object_get(acl, "principals")), refused);
        if (refused == 0) await_acls(rk, q, s.n);
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    pc_producer_release(p);
    for (size_t k = 0; k < s.n; k++) rd_kafka_AclBinding_destroy(s.b[k]);
    return rc;
}
