// Groups.java -- consumer groups of a Kafka cluster: members, their
// partitions and the lag per partition. Run with the broker jars (the JDK's
// source launcher, no build step):
//   java -cp 'infra/kafka/lib/*' infra/kafka/Groups.java BOOTSTRAP [GROUP...]
// infra/stack/stack.sh kafka-groups NAME BASE [GROUP...] does that for a local stack.
// PUPNS_KAFKA_CLIENT_PROPERTIES names a file of client settings (the stack's
// admin credentials when its Kafka requires them).
import java.io.FileReader;
import java.util.*;
import java.util.stream.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

public class Groups {
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        String extra = System.getenv("PUPNS_KAFKA_CLIENT_PROPERTIES");
        if (extra != null && !extra.isEmpty())
            try (FileReader r = new FileReader(extra)) { p.load(r); }
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        try (Admin admin = Admin.create(p)) {
            List<String> groups = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
            if (groups.isEmpty())
                for (GroupListing g : admin.listGroups().all().get()) groups.add(g.groupId());
            Collections.sort(groups);
            Map<String, ConsumerGroupDescription> desc = admin.describeConsumerGroups(groups).all().get();
            for (String g : groups) {
                ConsumerGroupDescription d = desc.get(g);
                Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(g).partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, String> owner = new HashMap<>();
                for (MemberDescription m : d.members())
                    for (TopicPartition tp : m.assignment().topicPartitions())
                        owner.put(tp, m.groupInstanceId().orElse(m.clientId()));
                Set<TopicPartition> all = new TreeSet<>(Comparator.comparing(TopicPartition::topic)
                    .thenComparingInt(TopicPartition::partition));
                all.addAll(committed.keySet());
                all.addAll(owner.keySet());
                Map<TopicPartition, OffsetSpec> req = all.stream()
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    req.isEmpty() ? Map.of() : admin.listOffsets(req).all().get();
                long lag = 0;
                StringBuilder rows = new StringBuilder();
                for (TopicPartition tp : all) {
                    long end = ends.containsKey(tp) ? ends.get(tp).offset() : -1;
                    OffsetAndMetadata c = committed.get(tp);
                    long l = (c != null && end >= 0) ? Math.max(0, end - c.offset()) : end;
                    if (l > 0) lag += l;
                    rows.append(String.format("  %-40s %-4d end %-8d committed %-8s lag %-6d %s%n", tp.topic(), tp.partition(),
                        end, c == null ? "-" : Long.toString(c.offset()), l, owner.getOrDefault(tp, "-")));
                }
                System.out.printf("group %s: %s, %d member(s), lag %d%n", g, d.groupState(), d.members().size(), lag);
                for (MemberDescription m : d.members())
                    System.out.printf("  member %s (%s) %d partition(s)%n", m.groupInstanceId().orElse(m.clientId()),
                        m.host(), m.assignment().topicPartitions().size());
                System.out.print(rows);
            }
        }
    }
}
