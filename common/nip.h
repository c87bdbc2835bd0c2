/*
 * nip: Nomor Induk Pegawai of an ASN, 18 digits, kept as text.
 *
 * PNS:  YYYYMMDD birth date, YYYYMM appointment (TMT CPNS), G gender (1/2),
 *       NNN sequence (001..999).
 * PPPK: the same, but the appointment month field is "21" (NI PPPK):
 *       YYYYMMDD YYYY 21 G NNN.
 * A NIP carries no check digit, so it can only be judged plausible; the
 * rules are those of nip_check. It is personal data: never logged, and
 * shown masked (nip_mask) wherever a person's NIP is printed.
 */
#ifndef NIP_H
#define NIP_H

#include <stddef.h>

#include "err.h"

#define NIP_LEN 18

typedef enum nip_kind { NIP_PNS = 1, NIP_PPPK = 2 } nip_kind;

/*
 * Check s (NUL-terminated) as a NIP, against the current year this_year.
 * Rules: exactly 18 ASCII digits; birth date a real date with year in
 * 1940..this_year-15; appointment year in birth year+15..this_year+1 and
 * >= 1960; appointment month 01..12 (PNS) or 21 (PPPK); gender digit 1 or
 * 2; sequence not 000.
 * ERR_OK with *kind set (kind may be NULL), or ERR_INVALID with *why (may
 * be NULL) a static English phrase such as "must be 18 digits".
 */
err nip_check(const char *s, int this_year, nip_kind *kind, const char **why);

/* "1972**********1039": first 4 and last 4 digits shown. out: 19 bytes.
 * A nip that is not 18 characters long comes out as 18 '*'. */
void nip_mask(const char *nip, char out[NIP_LEN + 1]);

#endif
