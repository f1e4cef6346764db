// The incident list: newest first, filtered by status and kind, refreshed every 5 seconds.
const params = new URLSearchParams(location.search);
document.getElementById('status').value = params.get('status') ?? '';
document.getElementById('kind').value = params.get('kind') ?? '';

async function refresh() {
  const query = new URLSearchParams();
  for (const name of ['status', 'kind']) {
    const value = document.getElementById(name).value.trim();
    if (value) query.set(name, value);
  }
  history.replaceState(null, '', '/incidents' + (query.size ? '?' + query : ''));
  const incidents = await owf.json('/api/incidents?' + query);
  const rows = incidents.map(incident => {
    const row = document.createElement('tr');
    row.dataset.incident = incident.incidentId;
    const link = document.createElement('a');
    link.href = '/incidents/' + incident.incidentId;
    link.textContent = incident.name;
    const name = document.createElement('td');
    name.appendChild(link);
    row.append(owf.cell(owf.time(incident.createdAt)), owf.cell(owf.age(incident.ageSeconds)), name, owf.cell(incident.kind),
      owf.cell(incident.workflowVersion), owf.cell(incident.urgency), owf.status(incident.status), owf.cell(incident.stage ?? ''), owf.cell(incident.incidentId, 'muted'));
    return row;
  });
  document.getElementById('incidents').replaceChildren(...rows);
  document.getElementById('empty').hidden = rows.length > 0;
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();

  const machines = await owf.json('/api/machines');
  document.getElementById('machines').replaceChildren(...machines.map(machine => {
    const row = document.createElement('tr');
    row.dataset.machine = machine.machine;
    row.append(owf.cell(machine.machine), owf.cell(machine.mode), owf.cell(owf.time(machine.changedAt)), owf.cell(machine.reason ?? ''));
    return row;
  }));
}

document.getElementById('filters').addEventListener('change', refresh);
document.getElementById('filters').addEventListener('submit', e => { e.preventDefault(); refresh(); });
refresh();
setInterval(refresh, 5000);
owf.whoAmI();
