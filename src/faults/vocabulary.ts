// The words the fault kinds and the topology share: the kinds of link and how a region fails. A leaf
// module, so the topology can use them without depending on the fault kinds.

/** The kinds of network link every drill topology has; each link is one proxy. */
export const LINK_KINDS = ["client", "app-db", "replication"] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/**
 * Every kind of link a topology may hold: the drill's own, plus `control` for traffic only a failover
 * manager's processes send between regions (Patroni to another region's DCS member). A fault cannot
 * select control links by `links:`; those that select every link (region-outage, partition, a link
 * fault without `links`) act on them too.
 */
export type TopologyLinkKind = LinkKind | "control";

/**
 * How a region fails. kill: its database and app die (SIGKILL / docker kill: power loss). stop: they
 * shut down (SIGINT fast shutdown / docker stop). pause: they freeze (SIGSTOP / docker pause, the
 * cgroup freezer): connections stall, nothing is closed. network: the region drops off the network
 * (every link touching it is cut; on docker its containers are also disconnected from the drill
 * network) while its processes keep running, so the old primary lives on, isolated.
 * kill, stop and network also cut every link touching the region; pause does not (a frozen region
 * does not close its connections).
 */
export const OUTAGE_MODES = ["kill", "stop", "pause", "network"] as const;
export type OutageMode = (typeof OUTAGE_MODES)[number];
