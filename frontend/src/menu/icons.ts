// Icons the menu model may name (menu.json "icon"). Importing them one by one
// keeps the rest of @element-plus/icons-vue out of the bundle.
import type { Component } from 'vue'
import {
  Aim,
  Avatar,
  ChatLineSquare,
  Goods,
  OfficeBuilding,
  Timer,
  Calendar,
  Document,
  DataLine,
  FolderChecked,
  Headset,
  Lock,
  Medal,
  Memo,
  PhoneFilled,
  Shop,
  Tickets,
  User,
} from '@element-plus/icons-vue'

export const MENU_ICONS: Record<string, Component> = {
  Aim,
  Avatar,
  ChatLineSquare,
  Goods,
  OfficeBuilding,
  Timer,
  Calendar,
  Document,
  DataLine,
  FolderChecked,
  Headset,
  Lock,
  Medal,
  Memo,
  PhoneFilled,
  Shop,
  Tickets,
  User,
}
