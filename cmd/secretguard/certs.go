package main

import (
	"fmt"
	"github.com/secretguard/secretguard/internal/words"
	"text/tabwriter"
	"time"

	"github.com/secretguard/secretguard/certs"
	"github.com/urfave/cli/v2"
)

// expiryWarning is how early `certs check` and the cert-expiry rule warn.
const expiryWarning = 30 * 24 * time.Hour

func certsCommand() *cli.Command {
	return &cli.Command{
		Name:  "certs",
		Usage: "show the per-environment certificates, warn on expiry",
		Subcommands: []*cli.Command{
			{
				Name:      "list",
				Usage:     "list every certificate of every environment: path, subject, key size, validity, SHA-256, and which one seals (the newest); exit 2 when one cannot be read",
				ArgsUsage: "[PATH]",
				Flags:     []cli.Flag{configFlag},
				Action: func(c *cli.Context) error {
					r, err := openRepo(c.String("config"), c.Args().Slice())
					if err != nil {
						return err
					}
					tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ENV\tCERT\tSUBJECT\tBITS\tNOT BEFORE\tNOT AFTER\tSHA256\tUSE")
					var problems []string
					for _, name := range r.Envs.Names() {
						all, err := r.Envs.Certs(name)
						if err != nil {
							// Said below the table, not squeezed into a column.
							problems = append(problems, words.OneLine(err.Error()))
							continue
						}
						newest := certs.Newest(all)
						for _, cert := range all {
							use := "older key: still decrypts"
							if cert == newest {
								use = "seals"
							}
							subject := cert.X509.Subject.String()
							if subject == "" {
								subject = "(empty, as controllers make them)"
							}
							fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", name, cert.Path, words.OneLine(subject),
								cert.Bits(), cert.X509.NotBefore.UTC().Format("2006-01-02"), cert.X509.NotAfter.UTC().Format("2006-01-02"), cert.SHA256, use)
						}
					}
					if err := tw.Flush(); err != nil {
						return err
					}
					for _, p := range problems {
						fmt.Fprintf(c.App.ErrWriter, "secretguard: %s\n", p)
					}
					if len(problems) > 0 {
						return &exitError{code: 2}
					}
					return nil
				},
			},
			{
				Name:      "check",
				Usage:     "check every environment's certificate: exit 2 when one is missing or unusable, 1 when expired (or expiring within 30 days with --fail-on warning)",
				ArgsUsage: "[PATH]",
				Flags:     []cli.Flag{configFlag, failOnFlag},
				Action: func(c *cli.Context) error {
					failOn, err := parseFailOn(c.String("fail-on"))
					if err != nil {
						return err
					}
					r, err := openRepo(c.String("config"), c.Args().Slice())
					if err != nil {
						return err
					}
					out := c.App.Writer
					broken, expired, expiring := 0, 0, 0
					t := time.Now()
					for _, name := range r.Envs.Names() {
						cert, err := r.Envs.Cert(name)
						switch {
						case err != nil:
							fmt.Fprintf(out, "error   %s: %v\n", name, err)
							broken++
						case cert.Check(t) != nil:
							fmt.Fprintf(out, "error   %s: %v\n", name, cert.Check(t))
							expired++
						case cert.Note() != "":
							fmt.Fprintf(out, "warning %s: %s: %s\n", name, cert.Path, cert.Note())
							expiring++
						case cert.ExpiresWithin(t, expiryWarning):
							fmt.Fprintf(out, "warning %s: %s expires on %s (in %d days): fetch the controller's new certificate (kubeseal --fetch-cert)\n",
								name, cert.Path, cert.X509.NotAfter.UTC().Format("2006-01-02"), int(cert.X509.NotAfter.Sub(t).Hours()/24))
							expiring++
						default:
							fmt.Fprintf(out, "ok      %s: %s valid until %s\n", name, cert.Path, cert.X509.NotAfter.UTC().Format("2006-01-02"))
						}
					}
					if len(r.Envs.Names()) == 0 {
						fmt.Fprintln(out, "no environments: add certs/NAME.pem or environments: to .secretguard.yaml")
					}
					switch {
					case broken > 0:
						return &exitError{code: 2}
					case expired > 0 && failOn != "off":
						return findings
					case expiring > 0 && failOn == "warning":
						return findings
					}
					return nil
				},
			},
		},
	}
}
