/* The C library's codec, timed the way bench/codec/run.mjs times ours:
 *   encode: build a NEW request for a TCP policy with all 11 states (alloc, set, build, free)
 *   decode: parse every policy of a dump file into an nfct_timeout object (alloc, parse, free)
 * Prints one JSON line per measurement: {"op":..., "nsPerMessage":...}. */
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

static double now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static volatile uint64_t sink;

static double encode_round(int n) {
	static char buf[8192]; /* MNL_SOCKET_BUFFER_SIZE is a run-time value */
	double t0 = now_ns();
	for (int i = 0; i < n; i++) {
		struct nfct_timeout *t = nfct_timeout_alloc();
		nfct_timeout_attr_set(t, NFCT_TIMEOUT_ATTR_NAME, "bench-tcp");
		nfct_timeout_attr_set_u16(t, NFCT_TIMEOUT_ATTR_L3PROTO, AF_INET);
		nfct_timeout_attr_set_u8(t, NFCT_TIMEOUT_ATTR_L4PROTO, IPPROTO_TCP);
		for (uint32_t s = 0; s < NFCT_TIMEOUT_ATTR_TCP_MAX; s++)
			nfct_timeout_policy_attr_set_u32(t, s, 100 + s);
		struct nlmsghdr *nlh = nfct_timeout_nlmsg_build_hdr(buf, IPCTNL_MSG_TIMEOUT_NEW, NLM_F_CREATE | NLM_F_ACK, i);
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
	while (off < len) {
		/* the file is a sequence of datagrams: u32 length, then the bytes */
		uint32_t dlen;
		memcpy(&dlen, data + off, 4);
		off += 4;
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(data + off);
		int rest = dlen;
		while (mnl_nlmsg_ok(nlh, rest)) {
			struct nfct_timeout *t = nfct_timeout_alloc();
			nfct_timeout_nlmsg_parse_payload(nlh, t);
			nfct_timeout_free(t);
			c++;
			nlh = mnl_nlmsg_next(nlh, &rest);
		}
		off += dlen;
	}
	*count = c;
	return (now_ns() - t0) / c;
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: %s DUMP_FILE ROUNDS\n", argv[0]);
		return 1;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) { perror(argv[1]); return 1; }
	fseek(f, 0, SEEK_END);
	size_t len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = malloc(len);
	if (fread(data, 1, len, f) != len) { perror("read"); return 1; }
	fclose(f);
	int rounds = atoi(argv[2]);
	double enc[64], dec[64];
	int count = 0;
	if (rounds > 64) rounds = 64;
	encode_round(20000);
	decode_round(data, len, &count);
	for (int r = 0; r < rounds; r++) {
		enc[r] = encode_round(10000);
		dec[r] = decode_round(data, len, &count);
	}
	qsort(enc, rounds, sizeof(double), cmp);
	qsort(dec, rounds, sizeof(double), cmp);
	printf("{\"op\":\"encode\",\"nsPerMessage\":%.1f}\n", enc[rounds / 2]);
	printf("{\"op\":\"decode\",\"nsPerMessage\":%.1f,\"policies\":%d}\n", dec[rounds / 2], count);
	return 0;
}
