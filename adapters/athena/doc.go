// Package athena is gmodel's adapter for Amazon Athena, built on
// aws-sdk-go-v2 (Athena, Glue, S3). It registers itself as "athena"; the
// runner reaches it through adapters.Open, tests through New.
//
// Models run as Trino SQL; tables are built with CREATE TABLE AS under a
// fresh S3 prefix of their own and swapped in through Glue, and old data
// is deleted only under the replaced table's own prefix, after the swap
// (see location.go for the rule every create and delete goes through).
package athena
