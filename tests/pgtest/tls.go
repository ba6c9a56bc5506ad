package pgtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gmodel/gmodel/internal/localpg"
)

// TLSHost is the one name in the TLS server's certificate.
const TLSHost = "localhost"

// TLSDB is a test's own database on the TLS server (see NewTLS).
type TLSDB struct {
	// DB reaches the database at TLSHost; its DSN verifies the server
	// (sslmode=verify-full with CAFile).
	DB
	// CAFile is the PEM of the CA that signed the server's certificate.
	CAFile string
	// OtherCAFile is the PEM of an unrelated CA: verifying against it
	// fails.
	OtherCAFile string
	// IPHost, 127.0.0.1, reaches the same server but is not in its
	// certificate: verify-full fails on it, verify-ca does not.
	IPHost string
}

// NewTLS is New on a second server of this test binary, one with TLS on
// (ssl=on) and a certificate for TLSHost only, signed by a CA made for
// this run. The server is a throwaway cluster from the local PostgreSQL
// binaries, whatever New uses: the certificate files must be on the
// server's disk. Plain connections are accepted too (sslmode disable).
func NewTLS(t testing.TB) *TLSDB {
	t.Helper()
	b, err := tlsLazy.get(setupTLS)
	if err != nil {
		t.Fatal(err)
	}
	db := b.newDB(t)
	db.Host = TLSHost
	q := url.Values{"sslmode": {"verify-full"}, "sslrootcert": {b.tls.ca}}
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(db.User, db.Password),
		Host:     net.JoinHostPort(TLSHost, strconv.Itoa(db.Port)),
		Path:     "/" + db.Database,
		RawQuery: q.Encode(),
	}
	db.DSN = u.String()
	return &TLSDB{DB: *db, CAFile: b.tls.ca, OtherCAFile: b.tls.otherCA, IPHost: "127.0.0.1"}
}

// tlsFiles are the paths of the TLS server's certificates.
type tlsFiles struct {
	ca, otherCA string
}

func setupTLS() (*backend, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin, err := localpg.FindBinaries()
	if err != nil {
		return nil, fmt.Errorf("pgtest: the TLS tests start a PostgreSQL of their own with a test CA and need the local server binaries (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@16): %w", err)
	}
	var files tlsFiles
	prepare := func(dir string, opts *localpg.Options) error {
		var err error
		files, err = writeTLSFiles(filepath.Join(dir, "tls"))
		if err != nil {
			return fmt.Errorf("test certificates: %w", err)
		}
		opts.Settings["ssl"] = "on"
		opts.Settings["ssl_cert_file"] = filepath.Join(dir, "tls", "server.crt")
		opts.Settings["ssl_key_file"] = filepath.Join(dir, "tls", "server.key")
		return nil
	}
	opts := localpg.Options{FSyncOff: true, Log: &setupLog, Settings: map[string]string{"max_connections": "100"}}
	b, err := startLocal(ctx, opts, bin, fmt.Errorf("not used for TLS"), prepare)
	if err != nil {
		return nil, err
	}
	b.kind = "local TLS"
	b.tls = &files
	return b, nil
}

// writeTLSFiles writes into dir (created 0700) a CA, a server certificate
// for TLSHost signed by it with its key (mode 0600: postgres refuses a
// key others can read), and an unrelated CA. localpg gives the directory
// to the server's OS user.
func writeTLSFiles(dir string) (tlsFiles, error) {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return tlsFiles{}, err
	}
	ca, caKey, caDER, err := newCA("gmodel pgtest CA")
	if err != nil {
		return tlsFiles{}, err
	}
	_, _, otherDER, err := newCA("gmodel pgtest unrelated CA")
	if err != nil {
		return tlsFiles{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tlsFiles{}, err
	}
	tpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: TLSHost},
		DNSNames:     []string{TLSHost},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(48 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	serverDER, err := x509.CreateCertificate(rand.Reader, tpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tlsFiles{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tlsFiles{}, err
	}
	files := tlsFiles{ca: filepath.Join(dir, "ca.crt"), otherCA: filepath.Join(dir, "other-ca.crt")}
	for _, f := range []struct {
		name, typ string
		der       []byte
		mode      os.FileMode
	}{
		{"ca.crt", "CERTIFICATE", caDER, 0o644},
		{"other-ca.crt", "CERTIFICATE", otherDER, 0o644},
		{"server.crt", "CERTIFICATE", serverDER, 0o644},
		{"server.key", "PRIVATE KEY", keyDER, 0o600},
	} {
		data := pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der})
		if err := os.WriteFile(filepath.Join(dir, f.name), data, f.mode); err != nil {
			return tlsFiles{}, err
		}
	}
	return files, nil
}

func newCA(name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	tpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(48 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, der, err
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}
