// The owner signs in, creates a company and finds it in the list, through the Go client
// openapi-generator generates from the live OpenAPI document with default settings
// (tests/clients.rs generates it, places this file in it as cmd/scenario and runs it):
//
//	go run ./cmd/scenario BASE_URL OWNER_EMAIL OWNER_PASSWORD
//
// Prints "ok: ..." or exits non-zero.
package main

import (
	"context"
	"fmt"
	"os"

	armario "github.com/GIT_USER_ID/GIT_REPO_ID"
)

func fail(what string, err error) {
	if e, ok := err.(*armario.GenericOpenAPIError); ok {
		fmt.Fprintf(os.Stderr, "%s: %v: %s\n", what, err, e.Body())
	} else {
		fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	}
	os.Exit(1)
}

func main() {
	base, email, password := os.Args[1], os.Args[2], os.Args[3]
	cfg := armario.NewConfiguration()
	cfg.Servers = armario.ServerConfigurations{{URL: base}}
	client := armario.NewAPIClient(cfg)
	ctx := context.Background()

	session, _, err := client.AuthAPI.Login(ctx).
		LoginIn(armario.LoginIn{Email: email, Password: password}).Execute()
	if err != nil {
		fail("login", err)
	}
	ctx = context.WithValue(ctx, armario.ContextAccessToken, session.Token)

	// Named fields: the generated constructors take required fields in the document's order.
	company := armario.CompanyCreateIn{LegalName: "Oficina do Cliente Go", Cnpj: "11.222.333/0001-81"}
	created, _, err := client.CompaniesAPI.CreateCompany(ctx).CompanyCreateIn(company).Execute()
	if err != nil {
		fail("create company", err)
	}
	// The status is a typed constant, named after its enum so that every enum's constants
	// can share the package.
	if created.Status != armario.COMPANY_STATUS_ACTIVE {
		fail("create company", fmt.Errorf("status %q", created.Status))
	}

	list, _, err := client.CompaniesAPI.ListCompanies(ctx).
		Status(armario.COMPANY_STATUS_ACTIVE).Execute()
	if err != nil {
		fail("list companies", err)
	}
	for _, company := range list.Items {
		if company.Id == created.Id && company.Cnpj == "11222333000181" {
			fmt.Printf("ok: %s listed\n", company.Slug)
			return
		}
	}
	fail("list companies", fmt.Errorf("%s not among %d companies", created.Id, len(list.Items)))
}
