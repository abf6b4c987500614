package catalog_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/leaseline/leaseline/models/catalog"
)

// TestKubernetesCatalogIsTheSample: kustomize cannot read files above its
// folder, so deploy/kubernetes carries a copy of the sample catalog; it must
// not drift from the built-in one.
func TestKubernetesCatalogIsTheSample(t *testing.T) {
	got, err := os.ReadFile("../../deploy/kubernetes/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, catalog.Sample()) {
		t.Fatal("deploy/kubernetes/catalog.yaml differs from the built-in sample: copy deploy/catalog.sample.yaml over it")
	}
}
