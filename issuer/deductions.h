/*
 * deductions: the TPP deduction list for payroll as a workbook,
 * deductions.xlsx, for the finance office (Excel). deductions.csv, which
 * scripts read, stays as it is (issue.c); the workbook holds the same rows.
 */
#ifndef DEDUCTIONS_H
#define DEDUCTIONS_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "ledger.h"
#include "period.h"

/*
 * Write the n vouchers v of period per, sorted by OPD as deductions.csv
 * is, to a workbook at path (replaced atomically, with mode; issuer/xlsx.h's
 * conventions): a sheet "Ringkasan" (the period in its title; per OPD, in
 * that order, the number of ASN and the total deduction; the grand total
 * in a last row), then one sheet per OPD with deductions.csv's columns
 * (nip, name, opd, period, amount, serial) under Indonesian headers (NIP,
 * Nama, OPD, Periode, Potongan, Serial voucher). NIPs and serials are text,
 * amounts rupiah. ERR_OVERFLOW if a total does not fit, or xlsx's errors;
 * path is untouched then.
 */
err deductions_write_xlsx(const char *path, mode_t mode, period per, const ledger_voucher *v,
                          size_t n);

#endif
