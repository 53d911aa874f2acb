package main

import (
	"fmt"
	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/transform"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
			certsFetchCommand(),
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
					var problems, ignoredBy []string
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
							if why := r.ignored(cert.Path); why != "" {
								use += "; ignored by git"
								ignoredBy = append(ignoredBy, fmt.Sprintf("%s is ignored by git (%s): CI never has it; commit it with `git add -f %s`", cert.Path, why, cert.Path))
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
					for _, w := range ignoredBy {
						fmt.Fprintf(c.App.ErrWriter, "secretguard: warning: %s\n", words.OneLine(w))
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

// certsFetchOptions are `certs fetch`'s flags, checked before anything is fetched.
type certsFetchOptions struct {
	Config, From, Context, ControllerName, ControllerNamespace string
	Envs                                                       []string
	Paths                                                      []string
}

func certsFetchCommand() *cli.Command {
	return &cli.Command{
		Name: "fetch",
		Usage: "add each environment's current controller certificate (kubectl get --raw through the API server's service proxy, as kubeseal --fetch-cert), " +
			"beside the ones it has: a new one is appended, one already there changes nothing",
		ArgsUsage: "[PATH]",
		Flags: []cli.Flag{configFlag,
			&cli.StringSliceFlag{Name: "env", Usage: "fetch for environment `NAME` only (repeatable); a new NAME without a config becomes certs/NAME.pem"},
			&cli.StringFlag{Name: "from", Usage: "read the certificate from `URL or FILE` instead of the cluster (one environment)"},
			&cli.StringFlag{Name: "context", Usage: "kubeconfig `CONTEXT` to ask (one environment; default: the environment's context:, else the current one)"},
			&cli.StringFlag{Name: "controller-name", Usage: "the controller's service `NAME` (default: the environment's controller.name, else " + certs.DefaultControllerName + ")"},
			&cli.StringFlag{Name: "controller-namespace", Usage: "the controller's `NAMESPACE` (default: the environment's controller.namespace, else " + certs.DefaultControllerNamespace + ")"},
		},
		Action: func(c *cli.Context) error {
			return certsFetch(certsFetchOptions{Config: c.String("config"), From: c.String("from"), Context: c.String("context"),
				ControllerName: c.String("controller-name"), ControllerNamespace: c.String("controller-namespace"),
				Envs: c.StringSlice("env"), Paths: c.Args().Slice()}, streamsOf(c))
		},
	}
}

// fetchTarget is one environment to fetch for, and where from.
type fetchTarget struct {
	env                      config.Environment
	context, namespace, name string
}

func certsFetch(o certsFetchOptions, s streams) error {
	r, err := openRepo(o.Config, o.Paths)
	if err != nil {
		return err
	}
	names := o.Envs
	if len(names) == 0 {
		names = r.Envs.Names()
	}
	if len(names) == 0 {
		return usage("no environments: name one with --env NAME (it becomes certs/NAME.pem), or add environments: to .secretguard.yaml")
	}
	if (o.From != "" || o.Context != "") && len(names) != 1 {
		return usage("--from and --context fetch for one environment; name it with --env (known: %s)", strings.Join(r.Envs.Names(), ", "))
	}
	var targets []fetchTarget
	for _, n := range names {
		env, ok := r.Envs.Env(n)
		if !ok {
			if len(r.Config.Environments) > 0 {
				hint := ""
				if near := r.Envs.Suggest(n); near != "" {
					hint = fmt.Sprintf(" (did you mean %s?)", near)
				}
				return usage("--env %q: no such environment%s (known: %s)", n, hint, strings.Join(r.Envs.Names(), ", "))
			}
			env = config.Environment{Name: n, Cert: "certs/" + n + ".pem"} // zero-config: certs/NAME.pem
		}
		t := fetchTarget{env: env, context: firstOf(o.Context, env.Context),
			namespace: firstOf(o.ControllerNamespace, env.ControllerNamespace, certs.DefaultControllerNamespace),
			name:      firstOf(o.ControllerName, env.ControllerName, certs.DefaultControllerName)}
		if o.From == "" && t.context == "" && len(names) > 1 {
			return usage("environment %s has no kubeconfig context, and the current one cannot serve %d environments: set environments.%s.context in .secretguard.yaml, or fetch one with --env %s", n, len(names), n, n)
		}
		targets = append(targets, t)
	}
	kubectl := ""
	if o.From == "" {
		if kubectl, err = exec.LookPath("kubectl"); err != nil {
			return failure(fmt.Errorf("certs fetch asks the cluster with kubectl, which is not on PATH: install it, or give the certificate with --from URL|FILE"))
		}
	}
	failed := 0
	now := time.Now()
	for _, t := range targets {
		var data []byte
		if o.From != "" {
			data, err = certs.FetchFrom(o.From)
		} else {
			data, err = certs.FetchKubectl(kubectl, t.context, t.namespace, t.name)
		}
		var add *certs.Addition
		if err == nil {
			add, err = certs.Add(t.env.Name, r.Root, t.env.Cert, data, now)
		}
		if err == nil && add.Write != nil {
			if err = os.MkdirAll(filepath.Dir(add.Write.Abs), 0o755); err == nil {
				err = transform.WriteOutput(add.Write.Abs, add.Write.Data, 0o644)
			}
		}
		if err != nil {
			fmt.Fprintf(s.err, "secretguard: %s: %s (nothing changed)\n", t.env.Name, words.OneLine(err.Error()))
			failed++
			continue
		}
		fmt.Fprintln(s.out, words.OneLine(add.Message))
		if add.Write != nil {
			rel := filepath.ToSlash(add.Write.Path)
			if why := r.ignored(rel); why != "" {
				fmt.Fprintf(s.err, "secretguard: warning: %s is ignored by git (%s): CI will not have it; commit it with `git add -f %s` (a certificate is public)\n", rel, why, rel)
			}
		}
	}
	if failed > 0 {
		return &exitError{code: 2, err: fmt.Errorf("%d environment%s not fetched", failed, words.Plural(failed))}
	}
	return nil
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
