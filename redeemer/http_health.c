/* GET /healthz and GET /metrics (Prometheus text format). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "http.h"

void http_healthz(struct evhttp_request *req, service *sv)
{
	const char *why;
	err e = store_health(sv->st, &why);

	if (e != ERR_OK)
		reply_error(sv, req, e == ERR_DB ? ERR_UNAVAILABLE : e, why);
	else
		reply_json(sv, req, 200, json_pack("{s:s}", "status", "ok"));
}

/* A Prometheus histogram of 8 buckets: counts per bucket, made cumulative. */
static void histogram(struct evbuffer *b, const char *name, const char *help,
                      const char *const le[8], const uint64_t count[8], const char *sum, uint64_t n)
{
	uint64_t cum = 0;

	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	for (int i = 0; i < 8; i++) {
		cum += count[i];
		evbuffer_add_printf(b, "%s_bucket{le=\"%s\"} %" PRIu64 "\n", name, le[i], cum);
	}
	evbuffer_add_printf(b, "%s_sum %s\n%s_count %" PRIu64 "\n", name, sum, name, n);
}

/* The metrics token, if the configuration sets one, as a bearer token. */
static bool metrics_allowed(struct evhttp_request *req, const service *sv)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	size_t n = sv->metrics_token ? strlen(sv->metrics_token) : 0;

	if (!sv->metrics_token)
		return true;
	return h && strncmp(h, "Bearer ", 7) == 0 && strlen(h + 7) == n &&
	       CRYPTO_memcmp(h + 7, sv->metrics_token, n) == 0;
}

void http_metrics(struct evhttp_request *req, service *sv)
{
	static const char *const le_batch[] = {"1", "3", "7", "15", "31", "63", "127", "+Inf"};
	static const char *const le_commit[] = {"0.0005", "0.001", "0.002", "0.004",
	                                        "0.008",  "0.016", "0.032", "+Inf"};
	struct evbuffer *b;
	store_stats st;
	char sum[32];

	if (!metrics_allowed(req, sv)) {
		reply_error(sv, req, ERR_UNAUTHORIZED, "send Authorization: Bearer METRICS_TOKEN");
		return;
	}
	if (!(b = evbuffer_new())) {
		reply_error(sv, req, ERR_UNAVAILABLE, NULL);
		return;
	}
	store_get_stats(sv->st, &st);
	sv->m.by_status[200]++; /* this reply */
	evbuffer_add_printf(b,
	                    "# HELP voucher_http_responses_total HTTP responses by status code.\n"
	                    "# TYPE voucher_http_responses_total counter\n");
	for (int c = 100; c < 600; c++)
		if (sv->m.by_status[c])
			evbuffer_add_printf(
			    b, "voucher_http_responses_total{code=\"%d\"} %" PRIu64 "\n", c,
			    sv->m.by_status[c]);
	evbuffer_add_printf(b,
	                    "# HELP voucher_redemptions_total Redemptions committed.\n"
	                    "# TYPE voucher_redemptions_total counter\n"
	                    "voucher_redemptions_total %" PRIu64 "\n"
	                    "# HELP voucher_redeemed_rupiah_total Rupiah redeemed.\n"
	                    "# TYPE voucher_redeemed_rupiah_total counter\n"
	                    "voucher_redeemed_rupiah_total %" PRIu64 "\n"
	                    "# HELP voucher_voids_total Redemptions voided.\n"
	                    "# TYPE voucher_voids_total counter\n"
	                    "voucher_voids_total %" PRIu64 "\n"
	                    "# HELP voucher_voided_rupiah_total Rupiah restored by voids.\n"
	                    "# TYPE voucher_voided_rupiah_total counter\n"
	                    "voucher_voided_rupiah_total %" PRIu64 "\n"
	                    "# HELP voucher_offline_redemptions_total Redemptions made offline, "
	                    "taken on upload.\n"
	                    "# TYPE voucher_offline_redemptions_total counter\n"
	                    "voucher_offline_redemptions_total %" PRIu64 "\n"
	                    "# HELP voucher_offline_conflicts_total Offline sales recorded as "
	                    "conflicts (never paid).\n"
	                    "# TYPE voucher_offline_conflicts_total counter\n"
	                    "voucher_offline_conflicts_total %" PRIu64 "\n",
	                    sv->m.redemptions, sv->m.rupiah_redeemed, sv->m.voids,
	                    sv->m.rupiah_voided, sv->m.offline, sv->m.conflicts);
	snprintf(sum, sizeof sum, "%" PRIu64, st.ops);
	histogram(b, "voucher_commit_batch_size", "Operations per commit.", le_batch, st.batch_hist,
	          sum, st.batches);
	snprintf(sum, sizeof sum, "%.6f", st.commit_us_total / 1e6);
	histogram(b, "voucher_commit_seconds", "Commit latency, fsync included.", le_commit,
	          st.commit_hist, sum, st.batches);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	                  "text/plain; version=0.0.4");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}
