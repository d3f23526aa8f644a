// A typed use of the Java client openapi-generator generates from the live OpenAPI document
// (tests/clients.rs compiles it with the client): stops compiling if an operation or a field
// it uses changes. Calls go through request objects (useSingleRequestParameter), so a new
// optional parameter does not break them.
import org.openapitools.client.ApiClient;
import org.openapitools.client.ApiException;
import org.openapitools.client.api.AuthApi;
import org.openapitools.client.api.CompaniesApi;
import org.openapitools.client.model.Company;
import org.openapitools.client.model.CompanyCreateIn;
import org.openapitools.client.model.CompanyList;
import org.openapitools.client.model.CompanyStatusDto;
import org.openapitools.client.model.LoginIn;
import org.openapitools.client.model.LoginOut;

public class Usage {
    public static String createAndFind(String base, String email, String password)
            throws ApiException {
        ApiClient client = new ApiClient();
        client.updateBaseUri(base);
        LoginIn credentials = new LoginIn().email(email).password(password);
        LoginOut session = new AuthApi(client)
                .login(AuthApi.APILoginRequest.newBuilder().loginIn(credentials).build());
        client.setRequestInterceptor(
                request -> request.header("Authorization", "Bearer " + session.getToken()));
        CompaniesApi companies = new CompaniesApi(client);
        CompanyCreateIn fields =
                new CompanyCreateIn().legalName("Oficina do Cliente Java").cnpj("11.222.333/0001-81");
        Company created = companies.createCompany(
                CompaniesApi.APICreateCompanyRequest.newBuilder().companyCreateIn(fields).build());
        CompanyList list = companies.listCompanies(CompaniesApi.APIListCompaniesRequest.newBuilder()
                .status(CompanyStatusDto.COMPANY_STATUS_ACTIVE)
                .limit(50)
                .build());
        for (Company company : list.getItems()) {
            if (company.getId().equals(created.getId())) {
                return company.getSlug();
            }
        }
        throw new IllegalStateException(created.getId() + " not listed");
    }

    public static void main(String[] args) throws ApiException {
        System.out.println("ok: " + createAndFind(args[0], args[1], args[2]) + " listed");
    }
}
