use std::collections::HashMap;
use std::sync::Arc;

use super::*;
use crate::domain::principal::LinkEntry;
use crate::domain::AppPrincipal;
use crate::ids::{ApplicationId, CredentialId, LinkId};

fn user(role: Role, company: Option<&CompanyId>) -> UserPrincipal {
    UserPrincipal {
        user_id: UserId::generate(),
        role,
        company_id: company.cloned(),
        session: [0; 32],
        ip: None,
    }
}

fn is_not_found<T>(r: DomainResult<T>) -> bool {
    matches!(r, Err(DomainError::NotFound("company")))
}

fn is_forbidden<T>(r: DomainResult<T>) -> bool {
    matches!(r, Err(DomainError::Forbidden(_)))
}

#[test]
fn another_company_is_not_found_at_every_level() {
    let (mine, theirs) = (CompanyId::generate(), CompanyId::generate());
    for role in [Role::CompanyAdmin, Role::Member] {
        let who = user(role, Some(&mine));
        assert!(is_not_found(CompanyScope::<Member>::check(
            &who,
            theirs.clone()
        )));
        assert!(is_not_found(CompanyScope::<Admin>::check(
            &who,
            theirs.clone()
        )));
        assert!(is_not_found(CompanyScope::<OwnerOf>::check(
            &who,
            theirs.clone()
        )));
    }
    let detached = user(Role::Member, None);
    assert!(is_not_found(CompanyScope::<Member>::check(&detached, mine)));
}

#[test]
fn levels_within_ones_own_company() {
    let mine = CompanyId::generate();
    let admin = user(Role::CompanyAdmin, Some(&mine));
    let member = user(Role::Member, Some(&mine));
    assert!(CompanyScope::<Member>::check(&member, mine.clone()).is_ok());
    assert!(is_forbidden(CompanyScope::<Admin>::check(
        &member,
        mine.clone()
    )));
    assert!(CompanyScope::<Admin>::check(&admin, mine.clone()).is_ok());
    assert!(is_forbidden(CompanyScope::<OwnerOf>::check(
        &admin,
        mine.clone()
    )));
    assert!(is_forbidden(Owner::check(&admin)));
    let owner = user(Role::Owner, None);
    let scope = CompanyScope::<OwnerOf>::check(&owner, mine.clone()).unwrap();
    assert_eq!(scope.company(), &mine);
    assert!(Owner::check(&owner).is_ok());
}

#[test]
fn an_application_needs_the_link_and_the_scope() {
    let (linked, other) = (CompanyId::generate(), CompanyId::generate());
    let links = HashMap::from([(
        linked.clone(),
        LinkEntry {
            link_id: LinkId::generate(),
            scopes: vec!["company:read".into()],
        },
    )]);
    let app = AppPrincipal::new(
        ApplicationId::generate(),
        CredentialId::generate(),
        None,
        Arc::new(links),
    );
    assert!(AppCompanyScope::check(&app, linked.clone(), CompanyRead).is_ok());
    assert!(AppCompanyScope::check(&app, linked.clone(), Linked).is_ok());
    assert!(is_forbidden(AppCompanyScope::check(
        &app,
        linked.clone(),
        UsersRead
    )));
    assert!(is_forbidden(AppCompanyScope::check(
        &app,
        linked,
        SecretRead("omie".into())
    )));
    assert!(is_not_found(AppCompanyScope::check(&app, other, Linked)));
}
