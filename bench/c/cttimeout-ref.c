/* The C reference for `npm run bench`: Debian's libnetfilter_cttimeout + libmnl used the way
 * the library's examples (and nfct) use them.
 *
 *   cttimeout-ref kernel N      in the current network namespace (run.mjs gives each round a
 *                               fresh one): N TCP policies (ESTABLISHED and CLOSE set)
 *     create.serial  one NEW per round trip (send, wait for the ACK), as nfct does
 *     get.serial     one GET per round trip, the reply parsed into an nfct_timeout
 *     list           one dump, every policy parsed into an nfct_timeout
 *     delete.serial  one DELETE per round trip
 *     create.batch   NEWs packed into mnl batches of MNL_SOCKET_BUFFER_SIZE (libmnl's examples;
 *                    larger batches overflow the default receive buffer with ACKs: ENOBUFS),
 *                    one sendmsg each, ACKs counted
 *     delete.batch   the same for DELETEs
 *   cttimeout-ref codec DUMP    the codec alone, no kernel
 *     encode         alloc, set 11 TCP states, build a NEW request, free
 *     decode         parse every policy of DUMP (u32 length + datagram, repeated) into an
 *                    nfct_timeout
 *
 * Prints one JSON object: {"scenario": ns per operation (per policy for list/decode), ...}.
 * Any failure (a NACK, a short dump) exits 1 with a message: a benchmark must not time errors. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink_cttimeout.h>
#include <libnetfilter_cttimeout/libnetfilter_cttimeout.h>

#define BUF_SIZE 32768 /* libmnl's MNL_SOCKET_DUMP_SIZE: the kernel fills dump datagrams to it */

static struct mnl_socket *nl;
static unsigned int portid, seq = 1;
static char buf[BUF_SIZE];
static volatile uint64_t sink;

static double now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what) {
	fprintf(stderr, "cttimeout-ref: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void name_of(char *out, int i, char prefix) { snprintf(out, 32, "%c%06d", prefix, i); }

static struct nfct_timeout *tcp_policy(const char *name) {
	struct nfct_timeout *t = nfct_timeout_alloc();
	if (!t) die("nfct_timeout_alloc");
	nfct_timeout_attr_set(t, NFCT_TIMEOUT_ATTR_NAME, name);
	nfct_timeout_attr_set_u16(t, NFCT_TIMEOUT_ATTR_L3PROTO, AF_INET);
	nfct_timeout_attr_set_u8(t, NFCT_TIMEOUT_ATTR_L4PROTO, IPPROTO_TCP);
	nfct_timeout_policy_attr_set_u32(t, NFCT_TIMEOUT_ATTR_TCP_ESTABLISHED, 3000);
	nfct_timeout_policy_attr_set_u32(t, NFCT_TIMEOUT_ATTR_TCP_CLOSE, 10);
	return t;
}

/* The reply callback of GET and dump: parse into an object, as `nfct get/list` do (the
 * library has no getters; nfct prints the object with nfct_timeout_snprintf, we do not). */
static int parse_cb(const struct nlmsghdr *nlh, void *data) {
	struct nfct_timeout *t = nfct_timeout_alloc();
	if (!t) return MNL_CB_ERROR;
	if (nfct_timeout_nlmsg_parse_payload(nlh, t) < 0) {
		nfct_timeout_free(t);
		return MNL_CB_ERROR;
	}
	nfct_timeout_free(t);
	(*(int *)data)++;
	return MNL_CB_OK;
}

/* Send one message and run the callbacks until its ACK (or the dump's DONE): nfct's loop. */
static int talk(struct nlmsghdr *nlh) {
	int count = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) die("sendto");
	int ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	while (ret > 0) {
		ret = mnl_cb_run(buf, ret, nlh->nlmsg_seq, portid, parse_cb, &count);
		if (ret <= MNL_CB_STOP) break;
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	}
	if (ret < 0) die("request");
	return count;
}

static void add_one(const char *name) {
	char req[1024];
	struct nfct_timeout *t = tcp_policy(name);
	struct nlmsghdr *nlh = nfct_timeout_nlmsg_build_hdr(req, IPCTNL_MSG_TIMEOUT_NEW, NLM_F_CREATE | NLM_F_ACK, seq++);
	nfct_timeout_nlmsg_build_payload(nlh, t);
	nfct_timeout_free(t);
	talk(nlh);
}

static int by_name(uint16_t cmd, const char *name) {
	char req[1024];
	struct nfct_timeout *t = nfct_timeout_alloc();
	if (!t) die("nfct_timeout_alloc");
	nfct_timeout_attr_set(t, NFCT_TIMEOUT_ATTR_NAME, name);
	struct nlmsghdr *nlh = nfct_timeout_nlmsg_build_hdr(req, cmd, NLM_F_ACK, seq++);
	nfct_timeout_nlmsg_build_payload(nlh, t);
	nfct_timeout_free(t);
	return talk(nlh);
}

static int dump(void) {
	char req[1024];
	struct nlmsghdr *nlh = nfct_timeout_nlmsg_build_hdr(req, IPCTNL_MSG_TIMEOUT_GET, NLM_F_DUMP, seq++);
	return talk(nlh);
}

/* Wait for `pending` ACKs of a batch; a NACK is fatal. */
static void acks(int pending) {
	while (pending > 0) {
		int ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0) die("recvfrom (batch)");
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		while (mnl_nlmsg_ok(nlh, ret)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
				if (err->error) {
					errno = -err->error;
					die("batch request");
				}
				pending--;
			}
			nlh = mnl_nlmsg_next(nlh, &ret);
		}
	}
}

/* N requests in mnl batches (libmnl's batch pattern: send when the next message does not fit). */
static void batch(uint16_t cmd, int n, char prefix) {
	static char bbuf[2 * BUF_SIZE];
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(bbuf, MNL_SOCKET_BUFFER_SIZE);
	int in_batch = 0;
	for (int i = 0; i < n; i++) {
		char name[32];
		name_of(name, i, prefix);
		struct nfct_timeout *t = cmd == IPCTNL_MSG_TIMEOUT_NEW ? tcp_policy(name) : nfct_timeout_alloc();
		if (cmd != IPCTNL_MSG_TIMEOUT_NEW) nfct_timeout_attr_set(t, NFCT_TIMEOUT_ATTR_NAME, name);
		uint16_t flags = NLM_F_ACK | (cmd == IPCTNL_MSG_TIMEOUT_NEW ? NLM_F_CREATE : 0);
		struct nlmsghdr *nlh = nfct_timeout_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), cmd, flags, seq++);
		nfct_timeout_nlmsg_build_payload(nlh, t);
		nfct_timeout_free(t);
		if (!mnl_nlmsg_batch_next(b)) {
			/* the message just built does not fit: send the others, keep it */
			if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0) die("sendto (batch)");
			acks(in_batch);
			mnl_nlmsg_batch_reset(b);
			in_batch = 0;
		}
		in_batch++;
	}
	if (!mnl_nlmsg_batch_is_empty(b)) {
		if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0) die("sendto (batch)");
		acks(in_batch);
	}
	mnl_nlmsg_batch_stop(b);
}

static int kernel(int n) {
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl) die("mnl_socket_open");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) die("mnl_socket_bind");
	portid = mnl_socket_get_portid(nl);
	char name[32];
	/* Warm-up, as our side does: the same calls untimed on min(N, 100) other names. */
	int w = n < 100 ? n : 100;
	for (int i = 0; i < w; i++) name_of(name, i, 'w'), add_one(name);
	for (int i = 0; i < w; i++) name_of(name, i, 'w'), by_name(IPCTNL_MSG_TIMEOUT_GET, name);
	if (dump() != w) { errno = EPROTO; die("warm-up dump"); }
	for (int i = 0; i < w; i++) name_of(name, i, 'w'), by_name(IPCTNL_MSG_TIMEOUT_DELETE, name);
	batch(IPCTNL_MSG_TIMEOUT_NEW, w, 'w');
	batch(IPCTNL_MSG_TIMEOUT_DELETE, w, 'w');

	double t0, cs, gs, ls, lw, ds, cb, db;
	t0 = now_ns();
	for (int i = 0; i < n; i++) name_of(name, i, 'p'), add_one(name);
	cs = (now_ns() - t0) / n;
	t0 = now_ns();
	for (int i = 0; i < n; i++) {
		name_of(name, i, 'p');
		if (by_name(IPCTNL_MSG_TIMEOUT_GET, name) != 1) { errno = EPROTO; die("get"); }
	}
	gs = (now_ns() - t0) / n;
	t0 = now_ns();
	int listed = dump();
	ls = (now_ns() - t0) / n;
	if (listed != n) { errno = EPROTO; die("dump count"); }
	/* Warm, as our side measures it too: after two more untimed dumps of the same N. */
	for (int k = 0; k < 2; k++)
		if (dump() != n) { errno = EPROTO; die("warm-up dump count"); }
	t0 = now_ns();
	listed = dump();
	lw = (now_ns() - t0) / n;
	if (listed != n) { errno = EPROTO; die("warm dump count"); }
	t0 = now_ns();
	for (int i = 0; i < n; i++) name_of(name, i, 'p'), by_name(IPCTNL_MSG_TIMEOUT_DELETE, name);
	ds = (now_ns() - t0) / n;
	t0 = now_ns();
	batch(IPCTNL_MSG_TIMEOUT_NEW, n, 'p');
	cb = (now_ns() - t0) / n;
	if (dump() != n) { errno = EPROTO; die("batch create count"); }
	t0 = now_ns();
	batch(IPCTNL_MSG_TIMEOUT_DELETE, n, 'p');
	db = (now_ns() - t0) / n;
	if (dump() != 0) { errno = EPROTO; die("batch delete count"); }
	mnl_socket_close(nl);
	printf("{\"create.serial\":%.1f,\"get.serial\":%.1f,\"list\":%.1f,\"list.warm\":%.1f,\"delete.serial\":%.1f,"
	       "\"create.batch\":%.1f,\"delete.batch\":%.1f}\n", cs, gs, ls, lw, ds, cb, db);
	return 0;
}

#define PASSES 5

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double encode_round(int n) {
	char req[1024];
	double t0 = now_ns();
	for (int i = 0; i < n; i++) {
		struct nfct_timeout *t = nfct_timeout_alloc();
		nfct_timeout_attr_set(t, NFCT_TIMEOUT_ATTR_NAME, "bench-tcp");
		nfct_timeout_attr_set_u16(t, NFCT_TIMEOUT_ATTR_L3PROTO, AF_INET);
		nfct_timeout_attr_set_u8(t, NFCT_TIMEOUT_ATTR_L4PROTO, IPPROTO_TCP);
		for (uint32_t s = 0; s < NFCT_TIMEOUT_ATTR_TCP_MAX; s++)
			nfct_timeout_policy_attr_set_u32(t, s, 100 + s);
		struct nlmsghdr *nlh = nfct_timeout_nlmsg_build_hdr(req, IPCTNL_MSG_TIMEOUT_NEW, NLM_F_CREATE | NLM_F_ACK, i);
		nfct_timeout_nlmsg_build_payload(nlh, t);
		sink += nlh->nlmsg_len;
		nfct_timeout_free(t);
	}
	return (now_ns() - t0) / n;
}

static double decode_round(const char *data, size_t len, int *count) {
	double t0 = now_ns();
	int c = 0;
	size_t off = 0;
	while (off + 4 <= len) {
		uint32_t dlen;
		memcpy(&dlen, data + off, 4);
		off += 4;
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(data + off);
		int rest = dlen;
		while (mnl_nlmsg_ok(nlh, rest)) {
			parse_cb(nlh, &c);
			nlh = mnl_nlmsg_next(nlh, &rest);
		}
		off += dlen;
	}
	*count = c;
	return (now_ns() - t0) / (c ? c : 1);
}

static int codec(const char *path) {
	FILE *f = fopen(path, "rb");
	if (!f) die(path);
	fseek(f, 0, SEEK_END);
	size_t len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = malloc(len);
	if (!data || fread(data, 1, len, f) != len) die("read");
	fclose(f);
	int count = 0;
	encode_round(20000); /* warm-up, as our side does */
	decode_round(data, len, &count);
	double enc[PASSES], dec[PASSES]; /* the median of PASSES passes, as our side does */
	for (int i = 0; i < PASSES; i++) enc[i] = encode_round(10000), dec[i] = decode_round(data, len, &count);
	qsort(enc, PASSES, sizeof(double), cmp);
	qsort(dec, PASSES, sizeof(double), cmp);
	printf("{\"encode\":%.1f,\"decode\":%.1f,\"policies\":%d}\n", enc[PASSES / 2], dec[PASSES / 2], count);
	free(data);
	return 0;
}

int main(int argc, char **argv) {
	if (argc == 3 && !strcmp(argv[1], "kernel") && atoi(argv[2]) > 0) return kernel(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "codec")) return codec(argv[2]);
	fprintf(stderr, "usage: %s kernel N | codec DUMP_FILE\n", argv[0]);
	return 64;
}
