package postgres

// TLS: the CA file is checked before pgx reads it, and a failed
// verification of the server's certificate is explained in one line that
// names the CA file and says what to do.

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gmodel/gmodel/profiles"
)

// caAdvice says where a CA bundle comes from.
const caAdvice = `for Amazon RDS, download the RDS CA bundle (global-bundle.pem, see "Using SSL/TLS to encrypt a connection to a DB instance" in the RDS user guide) and set sslrootcert to its path; for another server, to the CA that signed its certificate`

// rootCertPath is the CA file pgx will read for p, "" for none (the
// system's CAs, or no verification): the target's sslrootcert, else
// PGSSLROOTCERT, else ~/.postgresql/root.crt when it exists, as libpq.
func rootCertPath(p *profiles.Postgres) string {
	if p.SSLMode == "disable" {
		return ""
	}
	if p.SSLRootCert != "" {
		return expandHome(p.SSLRootCert)
	}
	if env := os.Getenv("PGSSLROOTCERT"); env != "" {
		return env
	}
	if home, err := os.UserHomeDir(); err == nil {
		def := filepath.Join(home, ".postgresql", "root.crt")
		if _, err := os.Stat(def); err == nil {
			return def
		}
	}
	return ""
}

// CheckRootCert reads a CA file and returns how many PEM certificates it
// holds. Its errors name the file and say what to do, in one line.
func CheckRootCert(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		reason := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			reason = pe.Err.Error()
		}
		if errors.Is(err, fs.ErrNotExist) {
			reason = "no such file"
		}
		return 0, fmt.Errorf("cannot read sslrootcert %s: %s; %s", path, reason, caAdvice)
	}
	n := 0
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			return 0, fmt.Errorf("sslrootcert %s: certificate %d does not parse (%v); %s", path, n+1, err, caAdvice)
		}
		n++
	}
	if n == 0 {
		return 0, fmt.Errorf("sslrootcert %s holds no PEM certificate (-----BEGIN CERTIFICATE-----); %s", path, caAdvice)
	}
	return n, nil
}

// tlsFailure explains err in one line when it is a failed TLS
// verification or a server without TLS; ok is false for other errors.
func tlsFailure(err error, p *profiles.Postgres) (msg string, ok bool) {
	// With sslmode prefer or allow, pgx tries again without TLS: the
	// server's answer to that attempt is the error to show.
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return "", false
	}
	roots := "the system's trusted CAs (the target has no sslrootcert)"
	if path := rootCertPath(p); path != "" {
		roots = "sslrootcert " + path
	}
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return fmt.Sprintf("TLS: the server's certificate is not signed by a CA of %s (sslmode %s); %s", roots, p.SSLMode, caAdvice), true
	case errors.As(err, &hostErr):
		return fmt.Sprintf("TLS: the server's certificate is for %s, not for host %s (sslmode verify-full); set 'host' to a name in the certificate (for RDS, the endpoint's name, not an IP address or an alias of your own), or use sslmode verify-ca",
			certNames(hostErr.Certificate), hostErr.Host), true
	case errors.As(err, &invalid):
		return fmt.Sprintf("TLS: the server's certificate is not valid: %v (checked against %s)", invalid, roots), true
	case strings.Contains(err.Error(), "server refused TLS connection") && slices.Contains(tlsModes, p.SSLMode):
		return fmt.Sprintf("the server does not accept TLS connections, which sslmode %s requires; turn ssl on in the server, or use sslmode prefer or disable for a server on this machine", p.SSLMode), true
	}
	return "", false
}

// tlsModes are the sslmodes that require TLS.
var tlsModes = []string{"require", "verify-ca", "verify-full"}

// certNames lists the host names and addresses a certificate is for.
func certNames(c *x509.Certificate) string {
	if c == nil {
		return "other hosts"
	}
	names := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName)
	}
	if len(names) == 0 {
		return "no host name"
	}
	return strings.Join(names, ", ")
}
