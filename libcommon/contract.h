/* contract.h -- topic names and CloudEvents types, as listed in proto/topics.json.
 * tests/integration/test_proto.sh checks that the two agree. */
#ifndef PUPNS_CONTRACT_H
#define PUPNS_CONTRACT_H

#define PC_TOPIC_IDENTITY_REQUESTS "pupns.identity.requests"
#define PC_TOPIC_REPLY_PREFIX      "pupns.gateway.replies." /* + instance id */

#define PC_TYPE_IDENTITY_LOOKUP       "id.go.bkn.pupns.identity.lookup.v1"
#define PC_TYPE_IDENTITY_LOOKUP_REPLY "id.go.bkn.pupns.identity.lookup.reply.v1"

#endif
