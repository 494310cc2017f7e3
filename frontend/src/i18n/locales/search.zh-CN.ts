// The header's one search box (components/GlobalSearch.vue).
export default {
  search: {
    label: '搜索',
    placeholder: '搜索：工单号/尾号、电话/尾号（可加姓名）、序列号、姓名、地址',
    searching: '搜索中…',
    empty: '没有找到',
    noPage: '{title} 没有可打开的页面',
    kinds: {
      ticket: '服务工单',
      work_order: '派工单',
      complaint: '投诉',
      customer: '客户',
      unit: '产品',
    },
    match: {
      number: '单号',
      number_tail: '尾号',
      phone: '电话',
      phone_tail: '电话尾号',
      'phone_tail+name': '姓名+电话尾号',
      serial: '序列号',
      serial_prefix: '序列号开头',
      name: '姓名',
      address: '地址',
    },
  },
}
