/*
 * reconcile: what the finance office closes a month with (the "reconcile"
 * command of voucher-issuer).
 *
 * Joins the issuance ledger's vouchers of one period with the journals
 * exported by one or more redeemers (voucher-redeemer export), and writes
 * into the output directory:
 *
 *   per_asn.csv     nip,name,opd,class,serial,issued,redeemed,unspent,met_minimum
 *   per_opd.csv     opd,asn,issued,redeemed,unspent,met_minimum,compliance_pct
 *   settlement.csv  merchant,gallery,redemptions,voids,amount
 *   refunds.csv     nip,name,opd,amount  (only when the period's policy is
 *                   unspent = refund; a stale one is removed otherwise)
 *   anomalies.csv   kind,serial,detail   (always; the header alone if none)
 *   report.html     one self-contained page in Indonesian, inline SVG charts
 *
 * and a summary with the balance checks on stdout.
 *
 * Rules:
 * - An entitlement is one ASN's voucher of the period: a voucher and the
 *   replacements reissued for it (the replaces / replaced_by chain) count
 *   once, issued at the original's amount, reported under the last serial
 *   of the chain; redemptions of every serial of the chain count toward it.
 *   A revoked voucher that was not replaced stays an entitlement.
 * - A journal entry is identified by (redemption_id, kind). The same entry
 *   in several journals (overlapping exports) counts once; the same key
 *   with other contents (seq, prev_hash and hash aside) is the anomaly
 *   conflicting_duplicate and only the first one seen counts (journals in
 *   the order given, lines in file order).
 * - Redemptions of a serial the ledger did not issue for the period are
 *   anomalies (unknown_serial) and are neither redeemed nor settled; every
 *   other redemption counts, anomalous or not (the merchant did hand over
 *   the goods), and is listed when it is one.
 * - A void counts when its redemption is there (same serial, amount and
 *   merchant), and is settled against the redemption's merchant and
 *   gallery; else it is the anomaly void_without_redemption.
 * - Anomaly kinds: chain_break, bad_receipt, conflicting_duplicate,
 *   unknown_serial, void_without_redemption, redeemed_after_revocation,
 *   outside_validity, overspent. Their detail names the journal and line,
 *   never a NIP or a name.
 *
 * Reconciliation only reads the ledger and the journals. The outputs are
 * written (each one atomically) only after every journal has been read: a
 * journal that is not a journal writes nothing.
 */
#ifndef RECONCILE_H
#define RECONCILE_H

#include <stddef.h>

#include "period.h"

typedef struct reconcile_opts {
	const char *ledger;          /* the issuer's ledger directory, opened read-only */
	period per;                  /* the period reconciled */
	const char *const *journals; /* njournals journal files (at least one) */
	size_t njournals;
	const char *keyring; /* receipt keys to check every receipt against; NULL: unchecked */
	const char *out;     /* output directory, created (0700) if missing */
	int threads;         /* receipt-verifying threads; 0: one per online CPU */
} reconcile_opts;

/*
 * Reconcile o->per. Returns the exit status:
 * - 0: the outputs are written and everything balances (anomalies, if any,
 *   are in anomalies.csv and the summary; they are findings, not failures);
 * - 1: refused: a journal that is not a journal (each bad file is printed to
 *   stderr as "FILE:LINE: what is wrong" and nothing is written), an
 *   unreadable ledger or keyring, a period the ledger never issued, an
 *   output that cannot be written; or a balance check that does not hold
 *   (the summary says which; the outputs are written for inspection).
 * The summary goes to stdout, problems to stderr.
 *
 * Cost: reading and hashing is about 1-2 us per journal entry on one core.
 * With a keyring each redemption's receipt is an Ed25519 verification of
 * about 75 us of CPU, run on o->threads threads: on 2 cores 1,000,000
 * receipts take about 40 s, against about 2 s without a keyring.
 */
int reconcile_run(const reconcile_opts *o);

#endif
