import { Icon, type IconName } from './Icon.tsx';
import { Menu } from './Menu.tsx';

export interface MenuAction {
  label: string;
  icon: IconName;
  onSelect(): void;
}

/** A "⋮" button opening a keyboard-operable menu of actions. Renders nothing when there are none. */
export function ActionMenu({ label, actions, className }: { label: string; actions: MenuAction[]; className?: string }) {
  if (actions.length === 0) return null;
  return (
    <Menu
      anchorClassName={className ? `menu-anchor ${className}` : 'menu-anchor'}
      button={{ className: 'icon-button', label, content: <Icon name="moreVert" /> }}
      menu={{ className: 'menu action-menu', label }}
      focusOnOpen={['[role="menuitem"]']}
      closeOnTab
    >
      {(close) =>
        actions.map((action) => (
          <button
            key={action.label}
            type="button"
            role="menuitem"
            className="menu-item"
            onClick={() => {
              close();
              action.onSelect();
            }}
          >
            <Icon name={action.icon} /> {action.label}
          </button>
        ))
      }
    </Menu>
  );
}
