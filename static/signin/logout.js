// Ends the armario session from a page of ours (its requests carry the SameSite=Strict
// cookie), then goes on to the address the server checked.
(async () => {
  const main = document.getElementById('logout');
  const csrf = document.cookie.split('; ').find((c) => c.startsWith('armario_csrf='));
  if (csrf) {
    try {
      await fetch('/api/v1/auth/logout', {
        method: 'POST',
        headers: { 'X-CSRF-Token': csrf.slice('armario_csrf='.length) },
        credentials: 'same-origin',
      });
    } catch (_) {
      // Signed out or not, the application asked to go back.
    }
  }
  const to = main && main.dataset.to;
  if (to) {
    location.replace(to);
  } else if (main) {
    main.querySelector('h1').textContent =
      (navigator.language || '').toLowerCase().startsWith('pt') ? 'Você saiu.' : 'You are signed out.';
  }
})();
