/*
 * reconcile: what the finance office closes a month with (the "reconcile"
 * command of voucher-issuer).
 *
 * Joins the issuance ledger's vouchers of one period with the journals
 * exported by one or more redeemers (voucher-redeemer export), and writes
 * into the output directory:
 *
 *   per_asn.csv     nip,name,opd,class,serial,issued,redeemed,unspent,met_minimum
 *                   (one row per entitlement, by opd, name, nip; met_minimum
 *                   "yes" when redeemed >= issued)
 *   per_opd.csv     opd,asn,issued,redeemed,unspent,met_minimum,compliance_pct
 *                   (met_minimum: how many ASN met it; pct with one decimal)
 *   settlement.csv  merchant,gallery,redemptions,voids,amount[,name,owner,
 *                   bank,account_number,account_name] (amount = redeemed - voided:
 *                   what the merchant is owed there); with a merchants file,
 *                   the last five are its payee's, empty for one not in it
 *   payments.csv    merchant,name,owner,bank,account_number,account_name,
 *                   amount: for the bank, one line per payee owed more than
 *                   nothing (its settlement rows summed); only with a
 *                   merchants file (a payments.csv left by an earlier run is
 *                   removed otherwise)
 *   refunds.csv     nip,name,opd,amount: the unspent of each ASN with some,
 *                   only when the period's policy is unspent = refund (a
 *                   refunds.csv left by an earlier run is removed otherwise)
 *   anomalies.csv   kind,serial,detail: always, the header alone if none
 *   report.html     one self-contained page in Indonesian (no external
 *                   asset, no script): totals, compliance per OPD and over
 *                   the last twelve periods (ranked), the ASN who missed
 *                   their minimum in two or more of the last three months,
 *                   redemptions per gallery and merchant, redemptions per
 *                   local day, as inline SVG, the payees and transfers (with
 *                   a merchants file), and the anomalies
 *   report.xlsx     the same for Excel (recon_xlsx.c): NIPs, serials and
 *                   account numbers as text, rupiah as numbers
 *   letters/OPD.pdf a letter to the head of each OPD (issuer/letters.h),
 *                   named as its voucher sheets are, the NIPs masked
 *
 * and a summary with the balance checks on stdout.
 *
 * Rules:
 * - An entitlement is one ASN's voucher of the period: a voucher and the
 *   replacements reissued for it (the replaces / replaced_by chain) count
 *   once, issued at the original's amount, reported under the last serial
 *   of the chain; redemptions of every serial of the chain count toward it.
 *   A revoked voucher that was not replaced stays an entitlement (its
 *   amount was deducted from the TPP).
 * - unspent = issued - redeemed, negative when overspent; refunds and the
 *   forfeit total add up the positive ones.
 * - A journal entry is identified by (redemption_id, kind). The same entry
 *   in several journals (overlapping exports, a file given twice) counts
 *   once; the same key with other contents (seq, prev_hash and hash aside)
 *   is the anomaly conflicting_duplicate and only the first seen counts
 *   (journals in the order given, lines in file order).
 * - The journals are evidence (recon_trust.c): each ends with a head the
 *   redeemer signed; with a keyring every receipt and head is verified;
 *   heads pinned during the month (heads) must be extended and merchants'
 *   receipts (receipts) held; redemption numbers run from 1 without a gap;
 *   each voucher's balance follows at each redeemer from its face value.
 *   An entry that fails is withheld: neither redeemed nor settled.
 * - Redemptions of a serial the ledger did not issue for the period are
 *   the anomaly unknown_serial and are neither redeemed nor settled; every
 *   other redemption not withheld counts, even with a finding (the
 *   merchant handed over the goods).
 * - A void counts when its redemption is there, not withheld, with the
 *   same serial, amount and merchant; it is settled against the
 *   redemption's merchant and gallery and day. Otherwise it is
 *   void_without_redemption.
 * - Anomaly kinds, in the order anomalies.csv lists them. Failures (the
 *   journals do not hold together, exit 1): chain_break, bad_head,
 *   head_not_extended, bad_receipt, conflicting_duplicate,
 *   missing_redemption, remaining_mismatch, receipt_not_in_journal,
 *   unknown_serial, void_without_redemption. Findings: redeemed_after_
 *   revocation, outside_validity, overspent, forged_receipt, no_payee (a
 *   merchant owed money that the merchants file does not name: not in
 *   payments.csv). Details name the journal and line, never a NIP or a
 *   name.
 * - Receipts are checked only with a keyring, and only for the entries
 *   counted (a duplicate is not checked again).
 * - A journal is refused (nothing is written) for: a header other than
 *   the export's, a line without exactly 14 fields, a field that is not of
 *   its form (canonical numbers, amounts 1..4294967295, 16 upper-case hex
 *   serials, ids of A-Z a-z 0-9 . _ -, redemption ids of the line's
 *   period, lower-case hex hashes, a receipt on every entry), a line of
 *   another period, no head line or a line after it, a carriage return
 *   that does not end a line, a malformed quoted field. Quoted fields are
 *   otherwise read as any CSV reader would. A file of heads with none in
 *   it, or one that cannot be read, is refused too.
 *
 * - The merchants file (merchants.h) is read first: any problem in it
 *   refuses the run, each printed as "FILE:LINE: what is wrong", and
 *   nothing is written.
 *
 * Reconciliation reads the ledger (read-only) and the journals; once the
 * outputs are written, each atomically and only after every journal has
 * been read, and if the month balances, it records the period's results
 * in the ledger's history (ledger_history_put), replacing an earlier
 * record of the same period and nothing else: the history the next
 * months' reports show.
 */
#ifndef RECONCILE_H
#define RECONCILE_H

#include <stddef.h>

#include "period.h"

typedef struct reconcile_opts {
	const char *ledger;          /* the issuer's ledger directory */
	period per;                  /* the period reconciled */
	const char *const *journals; /* njournals journal files, at least one */
	size_t njournals;
	const char *keyring;      /* receipt keys to check every receipt against; NULL: unchecked */
	const char *out;          /* output directory, created (mode 0700) if missing */
	int threads;              /* receipt-verifying threads; 0: one per online CPU */
	const char *const *heads; /* nheads files of heads pinned during the month */
	size_t nheads;
	const char *const *receipts; /* nreceipts files of receipts merchants hold */
	size_t nreceipts;
	const char *merchants; /* the merchants file (payees); NULL: no payments.csv */
	const char *region;    /* the letters' region line; NULL: the ledger's issuer id */
} reconcile_opts;

/*
 * Reconcile o->per; o and everything it points to are only read. Returns
 * the exit status:
 * - 0: the outputs are written, everything balances and the journals hold
 *   together; anomalies, if any, are findings in anomalies.csv and the
 *   summary, not failures;
 * - 1: refused: each journal that is not a journal printed to stderr as
 *   "FILE:LINE: what is wrong" and nothing written; or an unreadable ledger
 *   or keyring, a period the ledger never issued, an output that cannot be
 *   written; or a balance check that does not hold, or an anomaly that is
 *   a failure (the summary says which; the outputs are written for
 *   inspection, with what failed withheld).
 * The summary goes to stdout, problems to stderr.
 *
 * Cost, measured on this project's 2-core machine with 1,000,000 journal
 * entries (two 200 MB journals) against a 20,000-voucher ledger: about 1.8 s
 * without a keyring (reading, checking and hashing on one thread). With a
 * keyring each redemption's receipt is an Ed25519 verification, about 80 us
 * of CPU with OpenSSL, spread over o->threads threads: 1,000,000 receipts
 * take 41-44 s on the 2 cores (1.85 times as fast as one thread).
 */
int reconcile_run(const reconcile_opts *o);

#endif
