// Package crdb stands in for cockroach-go's crdb at the API Dex v2.13 calls (before contexts were
// added). Dex uses it only for CockroachDB storage, which the interop tests never configure.
package crdb

import "database/sql"

// ExecuteTx runs fn in one transaction (no CockroachDB retry loop: never used against CockroachDB here).
func ExecuteTx(db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
