// The header's one search box (components/GlobalSearch.vue).
export default {
  search: {
    label: 'Search',
    placeholder: 'Search: number or last digits, phone or last 4 (with a name), serial, name, address',
    searching: 'Searching…',
    empty: 'Nothing found',
    noPage: '{title} has no page to open',
    kinds: {
      ticket: 'Tickets',
      work_order: 'Work orders',
      complaint: 'Complaints',
      customer: 'Customers',
      unit: 'Units',
    },
    match: {
      number: 'Number',
      number_tail: 'Last digits',
      phone: 'Phone',
      phone_tail: 'Phone last 4',
      'phone_tail+name': 'Name + phone last 4',
      serial: 'Serial',
      serial_prefix: 'Serial start',
      name: 'Name',
      address: 'Address',
    },
  },
}
