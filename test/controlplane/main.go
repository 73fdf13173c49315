// Command jobwatch-controlplane runs etcd, kube-apiserver or
// kube-controller-manager, chosen by its first argument, from one binary
// linked once against a single Kubernetes release.
package main

import (
	"fmt"
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: jobwatch-controlplane etcd|kube-apiserver|kube-controller-manager [flags] | certs DIR | version")
		os.Exit(2)
	}
	component, args := os.Args[1], os.Args[2:]
	// Clients name themselves after os.Args[0] in their User-Agent, and the
	// API server records that name as the manager in managedFields; each
	// component keeps the name its own binary would give it.
	os.Args = append([]string{component}, args...)
	switch component {
	case "etcd":
		etcdmain.Main(append([]string{"etcd"}, args...))
	case "kube-apiserver":
		command := apiserver.NewAPIServerCommand()
		command.SetArgs(args)
		os.Exit(cli.Run(command))
	case "kube-controller-manager":
		command := controllermanager.NewControllerManagerCommand()
		command.SetArgs(args)
		os.Exit(cli.Run(command))
	case "certs":
		if len(args) != 1 {
			fmt.Fprintln(os.Stderr, "usage: jobwatch-controlplane certs DIR")
			os.Exit(2)
		}
		if err := writeCertificates(args[0]); err != nil {
			fmt.Fprintln(os.Stderr, "writing certificates:", err)
			os.Exit(1)
		}
	case "version":
		fmt.Println("kubernetes", kubernetesVersion, "etcd", etcdVersion)
	default:
		fmt.Fprintf(os.Stderr, "unknown component %q: expected etcd, kube-apiserver or kube-controller-manager\n", component)
		os.Exit(2)
	}
}
